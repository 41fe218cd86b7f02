/**
 * The development shop's demo catalogue: categories, goods with a description, and a picture of
 * each drawn here (SVG made into PNG by sharp), so `npm start` opens a shop that looks like one
 * without shipping photos in the repository. Pictures carry no text: no font is needed.
 */
import sharp from 'sharp';

/** A drawing in a 400x400 box, white on the category's colours. */
type Motif = string;

const MOTIFS = {
  keyboard: `<rect x="50" y="140" width="300" height="120" rx="14"/>${[0, 1, 2]
    .map((row) => [0, 1, 2, 3, 4, 5, 6, 7].map((col) => `<rect x="${66 + col * 34}" y="${156 + row * 32}" width="26" height="24" rx="4" class="d"/>`).join(''))
    .join('')}`,
  mouse: `<rect x="135" y="90" width="130" height="220" rx="65"/><line x1="200" y1="90" x2="200" y2="170" class="s"/>`,
  cable: `<path d="M90 300 C 90 120, 310 280, 310 100" class="s" style="stroke:#fff;stroke-width:14"/><rect x="70" y="290" width="40" height="60" rx="6"/><rect x="290" y="50" width="40" height="60" rx="6"/>`,
  monitor: `<rect x="50" y="80" width="300" height="190" rx="12"/><rect x="70" y="100" width="260" height="150" class="d"/><rect x="185" y="270" width="30" height="50"/><rect x="130" y="315" width="140" height="16" rx="8"/>`,
  stand: `<path d="M80 300 L320 300 L270 150 L130 150 Z"/><rect x="110" y="120" width="180" height="22" rx="6"/>`,
  headphones: `<path d="M100 240 A100 100 0 0 1 300 240" class="s" style="stroke:#fff;stroke-width:22"/><rect x="75" y="220" width="50" height="100" rx="20"/><rect x="275" y="220" width="50" height="100" rx="20"/>`,
  mug: `<rect x="110" y="140" width="150" height="170" rx="16"/><path d="M260 180 A45 45 0 0 1 260 270" class="s" style="stroke:#fff;stroke-width:18"/><path d="M150 120 q15 -25 0 -50 M190 120 q15 -25 0 -50" class="s" style="stroke:#fff;stroke-width:8"/>`,
  lamp: `<path d="M140 90 L260 90 L300 200 L100 200 Z"/><rect x="192" y="200" width="16" height="110"/><rect x="140" y="305" width="120" height="20" rx="8"/>`,
  cushion: `<rect x="90" y="90" width="220" height="220" rx="40"/><rect x="115" y="115" width="170" height="170" rx="28" class="s" style="stroke-dasharray:10 8"/>`,
  tshirt: `<path d="M150 80 L110 95 L60 150 L100 190 L125 170 L125 320 L275 320 L275 170 L300 190 L340 150 L290 95 L250 80 Q200 120 150 80 Z"/>`,
  cap: `<path d="M90 250 A110 110 0 0 1 310 250 Z"/><path d="M200 250 L350 250 Q350 280 300 280 L200 280 Z"/><circle cx="200" cy="140" r="10" class="d"/>`,
  socks: `<path d="M140 70 L200 70 L200 230 Q200 300 140 310 L100 310 Q70 300 80 270 L140 230 Z"/><path d="M230 90 L290 90 L290 250 Q290 320 230 330 L190 330 Q160 320 170 290 L230 250 Z" style="opacity:.75"/>`,
  tea: `<path d="M110 180 L290 180 Q290 300 200 300 Q110 300 110 180 Z"/><path d="M200 160 Q150 110 190 60 Q250 100 200 160 Z" style="opacity:.8"/>`,
  beans: [
    [140, 150],
    [250, 160],
    [190, 250],
    [290, 270],
    [110, 270],
  ]
    .map(
      ([x, y]) =>
        `<ellipse cx="${x}" cy="${y}" rx="45" ry="32" transform="rotate(-30 ${x} ${y})"/><path d="M${x! - 30} ${y! + 12} Q${x} ${y! - 10} ${x! + 30} ${y! - 12}" class="s" style="stroke-width:5"/>`,
    )
    .join(''),
  chocolate: `<rect x="90" y="90" width="220" height="220" rx="10"/>${[0, 1, 2]
    .map((row) => [0, 1, 2].map((col) => `<rect x="${104 + col * 68}" y="${104 + row * 68}" width="56" height="56" rx="6" class="d"/>`).join(''))
    .join('')}`,
  honey: `<rect x="120" y="150" width="160" height="170" rx="30"/><rect x="140" y="110" width="120" height="40" rx="8"/><path d="M170 220 l30 -17 l30 17 v34 l-30 17 l-30 -17 Z" class="d"/>`,
} satisfies Record<string, Motif>;

export type MotifName = keyof typeof MOTIFS;

export interface DemoCategory {
  name: string;
  /** Top-left and bottom-right colours of its pictures. */
  colours: [string, string];
  goods: { name: string; price: string; stock: number; description: string; motif: MotifName }[];
}

export const DEMO_CATALOGUE: DemoCategory[] = [
  {
    name: '数码 Digital',
    colours: ['#3d7fd1', '#1b3a6b'],
    goods: [
      {
        name: 'Mechanical keyboard',
        price: '89.00',
        stock: 200,
        motif: 'keyboard',
        description: 'Hot-swappable brown switches, USB-C, a full aluminium case.',
      },
      { name: 'Wireless mouse', price: '24.90', stock: 500, motif: 'mouse', description: 'Silent clicks, 2.4 GHz and Bluetooth, a year on one battery.' },
      { name: 'USB-C cable', price: '9.90', stock: 1000, motif: 'cable', description: 'Braided, 1 m, 100 W charging and 10 Gbit/s data.' },
      { name: '27" monitor', price: '219.00', stock: 50, motif: 'monitor', description: '2560x1440 IPS, 144 Hz, height-adjustable stand.' },
      { name: 'Laptop stand', price: '39.50', stock: 120, motif: 'stand', description: 'Folding aluminium stand, six heights, fits 10" to 17".' },
      {
        name: 'Noise-cancelling headphones',
        price: '159.00',
        stock: 80,
        motif: 'headphones',
        description: 'Active noise cancelling, 30 hours of music, foldable.',
      },
    ],
  },
  {
    name: '家居 Home',
    colours: ['#e0894a', '#8c3b1c'],
    goods: [
      { name: 'Ceramic mug', price: '19.00', stock: 300, motif: 'mug', description: 'Jingdezhen porcelain, 350 ml, dishwasher safe.' },
      { name: 'Desk lamp', price: '59.00', stock: 90, motif: 'lamp', description: 'Warm to cool white, dimmable, no flicker.' },
      { name: 'Linen cushion', price: '29.00', stock: 150, motif: 'cushion', description: '45x45 cm washed linen cover with a feather insert.' },
    ],
  },
  {
    name: '服饰 Clothing',
    colours: ['#5aa36b', '#1f5130'],
    goods: [
      { name: 'Cotton T-shirt', price: '49.00', stock: 400, motif: 'tshirt', description: 'Heavy organic cotton, relaxed fit, sizes S to XXL.' },
      { name: 'Baseball cap', price: '35.00', stock: 220, motif: 'cap', description: 'Washed cotton twill with an adjustable strap.' },
      { name: 'Wool socks (2 pairs)', price: '25.00', stock: 600, motif: 'socks', description: 'Merino blend, cushioned sole, reinforced heel.' },
    ],
  },
  {
    name: '食品 Food',
    colours: ['#b0558f', '#5a1f47'],
    goods: [
      {
        name: 'Longjing green tea, 100 g',
        price: '68.00',
        stock: 180,
        motif: 'tea',
        description: 'Spring harvest from West Lake, Hangzhou, pan-fired by hand.',
      },
      {
        name: 'Yunnan coffee beans, 250 g',
        price: '45.00',
        stock: 240,
        motif: 'beans',
        description: 'Medium roast Catimor from Pu’er; notes of cocoa and plum.',
      },
      { name: 'Dark chocolate, 70%', price: '18.50', stock: 350, motif: 'chocolate', description: 'Single-origin cocoa, no added flavourings.' },
      { name: 'Wildflower honey, 500 g', price: '39.00', stock: 140, motif: 'honey', description: 'Raw honey from the Qinling mountains.' },
    ],
  },
];

/** The picture of a demo goods: its motif in white on its category's colours, 800x800 PNG. */
export function drawDemoPicture(motif: MotifName, [from, to]: [string, string]): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 400 400">
    <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
    <style>g > * { fill: #fff; } .d { fill: ${to}; opacity: .55; } .s { fill: none; stroke: ${to}; stroke-width: 6; stroke-linecap: round; }</style>
    <rect width="400" height="400" fill="url(#bg)"/>
    <g>${MOTIFS[motif]}</g>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
