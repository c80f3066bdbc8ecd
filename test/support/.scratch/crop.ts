import sharp from 'sharp';
await sharp('/tmp/ks-noisy.png').extract({left:0,top:0,width:2480,height:1400}).resize(1240).toFile('/tmp/ks-crop.png');
await sharp('/tmp/dkdn.png').extract({left:0,top:0,width:2480,height:1800}).resize(1240).toFile('/tmp/dkdn-crop.png');
