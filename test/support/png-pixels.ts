import type { Browser } from "playwright-core";

/** An RGB colour, 0–255 a channel. */
export type Rgb = readonly [number, number, number];

/** A `#rrggbb` colour (what charts.tsx writes in `fill` and `stroke`) as an {@link Rgb}. */
export function parseColour(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** A rectangle of an image, in its pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The DOM a blank page offers, as far as {@link countPixels} uses it (tsconfig has no "dom" lib). */
interface Dom {
  Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };
  document: { createElement(tag: "canvas"): { width: number; height: number; getContext(id: "2d"): { drawImage(img: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } };
}

/**
 * Decodes a PNG (e.g. a playwright `locator.screenshot()` buffer) in a fresh blank page
 * of `browser` (about:blank: no CSP, no dependency on a PNG library) — as a data: URL
 * into an Image, drawn on a canvas, read back with getImageData — and counts, for each
 * of `colours`, the opaque pixels (within `region`, or all) whose every channel is within
 * `tolerance` of it.
 */
export async function countPixels(browser: Browser, png: Buffer, colours: readonly Rgb[], { tolerance = 24, region }: { tolerance?: number; region?: Region } = {}): Promise<{ width: number; height: number; counts: number[] }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ url, colours, tolerance, region }) => {
        const { Image, document } = globalThis as unknown as Dom;
        const img = new Image();
        img.src = url;
        await img.decode();
        const canvas = document.createElement("canvas");
        [canvas.width, canvas.height] = [img.width, img.height];
        const ctx = canvas.getContext("2d");
        ctx.drawImage(img, 0, 0);
        const { x, y, width, height } = region ?? { x: 0, y: 0, width: img.width, height: img.height };
        const px = ctx.getImageData(x, y, width, height).data;
        const counts = colours.map(() => 0);
        for (let i = 0; i < px.length; i += 4) {
          if (px[i + 3]! < 250) continue;
          colours.forEach(([r, g, b], k) => {
            if (Math.abs(px[i]! - r) <= tolerance && Math.abs(px[i + 1]! - g) <= tolerance && Math.abs(px[i + 2]! - b) <= tolerance) counts[k]!++;
          });
        }
        return { width: img.width, height: img.height, counts };
      },
      { url: `data:image/png;base64,${png.toString("base64")}`, colours: colours.map((c) => [...c] as [number, number, number]), tolerance, region: region && { x: Math.round(region.x), y: Math.round(region.y), width: Math.max(1, Math.round(region.width)), height: Math.max(1, Math.round(region.height)) } },
    );
  } finally {
    await page.close();
  }
}
