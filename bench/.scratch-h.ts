import sharp from 'sharp';
sharp.concurrency(1); sharp.cache(false);
const W=1100,H=1400; const px=Buffer.alloc(W*H*3); for(let i=0;i<px.length;i++) px[i]=(i*7+Math.floor(i/(W*3))*3)%251;
const src = await sharp({create:{width:W,height:H,channels:3,background:'#fff'}}).composite([{input: await sharp(px,{raw:{width:W,height:600,channels:3}}).png().toBuffer(), top:400,left:0}]).png().toBuffer();
for (const [name, f] of [['webp q80 e4', (s:any)=>s.webp({quality:80,effort:4})], ...[0,1,2,3,4].map(e=>[`avif q50 e${e} 444`, (s:any)=>s.avif({quality:50,effort:e})]), ...[2,3].map(e=>[`avif q50 e${e} 420`, (s:any)=>s.avif({quality:50,effort:e, chromaSubsampling:'4:2:0'})])] as const) {
  const ts:number[]=[]; let size=0;
  for (let r=0;r<4;r++){ const t=performance.now(); const b=await (f as any)(sharp(src).resize({width:1100})).toBuffer(); ts.push(performance.now()-t); size=b.length; }
  ts.sort((a,b)=>a-b); console.log(name.padEnd(20), ts[1]!.toFixed(0),'ms', (size/1024).toFixed(0),'KiB');
}
