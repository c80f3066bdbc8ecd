import sharp from 'sharp';
await sharp('/tmp/text1.png').extract({left:0,top:0,width:2480,height:1200}).resize(1240).toFile('/tmp/text-crop.png');
