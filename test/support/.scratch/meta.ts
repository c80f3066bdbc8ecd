import sharp from 'sharp';
import { readFile } from 'node:fs/promises';
import { makeDecompressionBombPng, makeBadInputs } from '#test/support/make-test-scans.ts';
const bomb = makeDecompressionBombPng();
console.log(await sharp(bomb, {limitInputPixels: false}).metadata().then(m => [m.width, m.height, m.pages]));
try { console.log(await sharp(bomb, { limitInputPixels: 1000 }).metadata().then(m => [m.width, m.height])); } catch (e) { console.log('err', (e as Error).message); }
try { await sharp(bomb, { limitInputPixels: 60_000_000 }).raw().toBuffer(); } catch (e) { console.log('err', (e as Error).message); }
const tif = await readFile('/tmp/two.tiff');
const m = await sharp(tif).metadata(); console.log(m.width, m.height, m.pages, m.pageHeight, m.format);
const m1 = await sharp(tif, {page: 1}).metadata(); console.log(m1.width, m1.height, m1.pages);
const bad = await makeBadInputs({oversizeBytes: 100});
try { console.log(await sharp(bad.corruptImage.bytes).metadata()); } catch (e) { console.log('corrupt meta err', (e as Error).message); }
const half = (await readFile('/tmp/dkdn.png')).subarray(0, 100000);
try { const mm = await sharp(half).metadata(); console.log('trunc png meta ok', mm.width); await sharp(half, {failOn: 'truncated'}).resize(100).raw().toBuffer(); console.log('decoded?!'); } catch (e) { console.log('trunc err', (e as Error).message); }
try { await sharp(half).resize(100).raw().toBuffer(); console.log('decoded default'); } catch (e) { console.log('trunc err default', (e as Error).message); }
