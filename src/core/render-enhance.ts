import type { CardModel } from './card-model.ts';
import { escapeAttr } from './escape-html.ts';
import type { OccurrenceKind } from './model.ts';

/** How long the live embed may take to render before the archived card stays for good. */
export const LIVE_TIMEOUT_MS = 8000;

/**
 * The archived card first; the original markup beside it, laid out off-screen so the platform script
 * can render it. Pasted blockquotes are left to that script; rendered iframes and videos load only
 * when the reader asks (an iframe that failed looks loaded from outside, so it cannot be detected).
 */
export function enhanceBlock(card: CardModel, renderedCard: string, original: string, kind: OccurrenceKind): string {
  const live = kind === 'blockquote' || kind === 'bare-url' ? 'auto' : 'on-request';
  const liveMarkup = live === 'auto'
    ? `<div class="ek-live" aria-hidden="true" style="position:absolute;left:-10000px;top:0;width:550px">${original}</div>`
    : `<template class="ek-live">${original}</template>`;
  return `<div class="ek-enhance" data-embedkeep-enhance="${escapeAttr(card.id)}" data-embedkeep-live="${live}">${renderedCard}${liveMarkup}</div>`;
}

/**
 * Swaps in a live embed only once it has really rendered: an iframe taller than a placeholder, with a
 * height that held still for half a second. Otherwise the live markup is dropped after the timeout.
 * "on-request" blocks get a button that loads the original.
 */
export const ENHANCE_SCRIPT = `<script data-embedkeep>(function(){
var T=${LIVE_TIMEOUT_MS};
function swap(b,live){var c=b.querySelector('.ek-card');live.removeAttribute('style');live.removeAttribute('aria-hidden');if(c)c.replaceWith(live);b.setAttribute('data-embedkeep-live','shown');}
function watch(b){var live=b.querySelector('.ek-live');if(!live)return;var t0=Date.now(),h=0,since=0;
(function tick(){var f=live.querySelector('iframe');var nh=f?f.offsetHeight:0;
if(nh>120){if(nh!==h){h=nh;since=Date.now();}else if(Date.now()-since>500){swap(b,live);return;}}
if(Date.now()-t0>T){live.remove();b.setAttribute('data-embedkeep-live','failed');return;}
setTimeout(tick,200);})();}
function offer(b){var t=b.querySelector('template.ek-live');if(!t)return;var btn=document.createElement('button');btn.type='button';btn.className='ek-load-live';btn.textContent='Load the original';
btn.onclick=function(){var d=document.createElement('div');d.className='ek-live';d.appendChild(t.content.cloneNode(true));swap(b,d);};b.appendChild(btn);}
function init(){var bs=document.querySelectorAll('[data-embedkeep-live]');for(var i=0;i<bs.length;i++){var m=bs[i].getAttribute('data-embedkeep-live');if(m==='auto')watch(bs[i]);else if(m==='on-request')offer(bs[i]);}}
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',init);else init();})();</script>`;
