/**
 * The card stylesheet. Every rule is scoped under `.ek-card` with `ek-` class names, so it neither leaks
 * into the article nor is easily hit by it: the root starts from `all: initial` and its descendants from
 * `all: revert` (browser defaults, not the article's), then each part sets what it needs at a
 * specificity of two classes. SVG internals are left out of the revert so their fill attributes hold.
 */
export const CARD_CSS = `
.ek-card{all:initial;display:block;box-sizing:border-box;width:100%;max-width:550px;margin:16px auto;
  --ek-bg:#fff;--ek-fg:#0f1419;--ek-muted:#536471;--ek-border:#cfd9de;--ek-hover:#f7f9f9;--ek-link:#0a66c2;
  --ek-ring:#1d9bf0;--ek-badge-bg:#fdeceb;--ek-badge-fg:#a4161a;--ek-badge-border:#f4b9b5;--ek-tile:#e6ecf0;
  color-scheme:light;background:var(--ek-bg);color:var(--ek-fg);border:1px solid var(--ek-border);border-radius:14px;
  padding:14px 16px 12px;overflow:hidden;text-align:start;
  font:400 15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans CJK SC","Noto Color Emoji","Apple Color Emoji","Segoe UI Emoji",sans-serif;
  -webkit-text-size-adjust:100%;text-size-adjust:100%;overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){.ek-card{
  --ek-bg:#16181c;--ek-fg:#e7e9ea;--ek-muted:#8b98a5;--ek-border:#38444d;--ek-hover:#1e2125;--ek-link:#6cb6ff;
  --ek-ring:#6cb6ff;--ek-badge-bg:#3d1a1c;--ek-badge-fg:#ffb3ad;--ek-badge-border:#7a2e2e;--ek-tile:#25292e;color-scheme:dark}}
.ek-card *:not(svg *),.ek-card *::before,.ek-card *::after{all:revert;box-sizing:border-box}
.ek-card .ek-sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.ek-card a{color:inherit;text-decoration:none;border-radius:4px}
.ek-card a:hover .ek-name,.ek-card a.ek-entity:hover,.ek-card a.ek-original-link:hover,.ek-card a.ek-date-link:hover,
.ek-card a.ek-title:hover,.ek-card a.ek-channel:hover{text-decoration:underline}
.ek-card a:focus-visible{outline:2px solid var(--ek-ring);outline-offset:2px}
.ek-card svg{display:inline-block;fill:currentColor;flex:none}
.ek-card img{display:block;max-width:100%;margin:0;padding:0;border:0;background-color:var(--ek-tile);background-size:cover;background-position:center;background-repeat:no-repeat;color:var(--ek-muted);font-size:13px}
.ek-card picture{display:contents}

.ek-card .ek-head{display:flex;align-items:center;gap:10px;margin:0 0 10px}
.ek-card .ek-avatar-link{flex:none;display:block;border-radius:50%}
.ek-card .ek-avatar{width:48px;height:48px;border-radius:50%;object-fit:cover}
.ek-card .ek-avatar-initial{display:flex;align-items:center;justify-content:center;background:var(--ek-tile);color:var(--ek-muted);font-size:20px;font-weight:600;text-transform:uppercase}
.ek-card .ek-who{flex:1;min-width:0;display:flex;flex-direction:column;line-height:1.25}
.ek-card .ek-name-link{display:inline-flex;align-items:center;gap:3px;max-width:100%;min-width:0}
.ek-card .ek-name{font-weight:700;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.ek-card .ek-verified{width:18px;height:18px;fill:#1d9bf0}
.ek-card .ek-sub{display:flex;flex-wrap:wrap;gap:0;color:var(--ek-muted);font-size:14px}
.ek-card .ek-handle{color:var(--ek-muted);unicode-bidi:isolate}
.ek-card .ek-logo{width:22px;height:22px;align-self:flex-start;color:var(--ek-fg)}

.ek-card .ek-text{margin:0 0 12px;font-size:17px;line-height:1.45;white-space:pre-wrap;unicode-bidi:plaintext}
.ek-card .ek-entity{color:var(--ek-link)}
.ek-card .ek-empty{color:var(--ek-muted);font-size:15px;font-style:italic}

.ek-card .ek-media{display:grid;gap:2px;margin:0 0 12px;border:1px solid var(--ek-border);border-radius:14px;overflow:hidden;grid-template-columns:1fr 1fr;grid-template-rows:1fr 1fr;aspect-ratio:16/9}
.ek-card .ek-media-1{display:block;aspect-ratio:auto}
.ek-card .ek-media-2{grid-template-rows:1fr}
.ek-card .ek-media-3 .ek-media-item:first-child{grid-row:span 2}
.ek-card .ek-media-item{position:relative;display:block;min-width:0;min-height:0;overflow:hidden;border-radius:0}
.ek-card .ek-media-img{width:100%;height:100%;object-fit:cover}
.ek-card .ek-media-1 .ek-media-img{height:auto;max-height:510px}
.ek-card .ek-play{position:absolute;inset:50% auto auto 50%;transform:translate(-50%,-50%);display:flex;align-items:center;justify-content:center;width:52px;height:52px;border-radius:50%;background:rgba(15,20,25,.75);color:#fff;border:2px solid #fff;box-shadow:0 2px 8px rgba(0,0,0,.35)}
.ek-card .ek-play svg{width:26px;height:26px;margin-inline-start:3px}
.ek-card .ek-play-large{width:68px;height:48px;border-radius:12px;border:0;background:#e00}
.ek-card .ek-play-large svg{width:28px;height:28px;margin:0}

.ek-card .ek-quote{margin:0 0 12px;padding:10px 12px;border:1px solid var(--ek-border);border-radius:12px;font-size:15px}
.ek-card .ek-quote-head{display:flex;flex-wrap:wrap;align-items:center;gap:0;color:var(--ek-muted);font-size:14px;margin:0 0 4px;min-width:0}
.ek-card .ek-quote .ek-name{color:var(--ek-fg)}
.ek-card .ek-quote .ek-text{font-size:15px;margin:0}

.ek-card .ek-shot{display:block;margin:0 0 12px;border-radius:12px;overflow:hidden;border:1px solid var(--ek-border)}
.ek-card .ek-shot-img,.ek-card .ek-video-img,.ek-card .ek-figure-img{width:100%;height:auto}
.ek-card .ek-video{position:relative;display:block;margin:-14px -16px 12px;overflow:hidden}
.ek-card .ek-video-info{display:flex;flex-direction:column;gap:2px;margin:0 0 10px}
.ek-card .ek-title{font-weight:700;font-size:17px;line-height:1.3}
.ek-card .ek-channel{color:var(--ek-muted);font-size:14px}

.ek-card .ek-figure-link{display:block;margin:-14px -16px 10px}
.ek-card .ek-figure-missing{margin:0 0 10px;padding:24px 16px;border:1px dashed var(--ek-border);border-radius:10px;color:var(--ek-muted);text-align:center}
.ek-card .ek-caption{display:block;margin:0 0 10px;color:var(--ek-fg);font-size:14px;line-height:1.45}

.ek-card .ek-foot{display:flex;flex-direction:column;gap:6px;padding-top:10px;border-top:1px solid var(--ek-border);color:var(--ek-muted);font-size:14px}
.ek-card .ek-meta,.ek-card .ek-status{display:flex;flex-wrap:wrap;align-items:center;gap:4px 6px}
.ek-card .ek-meta{gap:0}
.ek-card .ek-original-link{color:var(--ek-link);font-weight:600}
.ek-card .ek-archived,.ek-card .ek-note{font-size:13px}
.ek-card .ek-note{font-style:italic}
.ek-card .ek-badge{display:inline-flex;align-items:center;gap:4px;padding:1px 8px;border:1px solid var(--ek-badge-border);border-radius:999px;background:var(--ek-badge-bg);color:var(--ek-badge-fg);font-size:12px;font-weight:700;line-height:18px}
.ek-card .ek-badge::before{content:"";width:6px;height:6px;border-radius:50%;background:currentColor}
.ek-card .ek-dot{margin-inline:3px;color:var(--ek-muted)}
@media (max-width:420px){.ek-card{padding:12px}.ek-card .ek-text{font-size:16px}.ek-card .ek-video,.ek-card .ek-figure-link{margin:-12px -12px 12px}}
`;
