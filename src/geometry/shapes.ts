// The primitive shapes of the contract's "Regions": rectangle, disk, ellipse, polygon (2-D) and box,
// ball, cylinder (3-D). Each one knows, exactly: whether a point lies in it (closed set), its
// bounding box, its boundary measure (perimeter or surface area), how to draw a boundary point
// uniformly by arc length (area in 3-D) with the outward unit normal there, and a signed distance
// (negative inside; exact except for the ellipse, where it is the first-order approximation
// (q − 1)/|∇q| of q = (x/a)² + (y/b)², exact on the boundary and of the right sign everywhere).
//
// The classes live in shapes-2d.ts and shapes-3d.ts, what they share in shape.ts; this file is the
// table by name. Adding a shape: its class in shapes-2d.ts or shapes-3d.ts and one entry in SHAPES
// (argument names and a constructor).

import type { Shape } from "./shape.js";
import { Rectangle, Disk, Ellipse, Polygon } from "./shapes-2d.js";
import { Box3, Ball, Cylinder } from "./shapes-3d.js";

export { ShapeError, type Shape } from "./shape.js";
export { Rectangle, Disk, Ellipse, Polygon } from "./shapes-2d.js";
export { Box3, Ball, Cylinder } from "./shapes-3d.js";

/** The constructors by name, with their argument names (for messages). */
export const SHAPES: Readonly<Record<string, { dim: 2 | 3; args: readonly string[]; minArgs?: number; make: (a: number[]) => Shape }>> = {
  rectangle: { dim: 2, args: ["x0", "y0", "x1", "y1"], make: (a) => new Rectangle(a[0]!, a[1]!, a[2]!, a[3]!) },
  disk: { dim: 2, args: ["cx", "cy", "r"], make: (a) => new Disk(a[0]!, a[1]!, a[2]!) },
  ellipse: { dim: 2, args: ["cx", "cy", "a", "b"], make: (a) => new Ellipse(a[0]!, a[1]!, a[2]!, a[3]!) },
  polygon: { dim: 2, args: ["x1", "y1", "x2", "y2", "x3", "y3", "..."], minArgs: 6, make: (a) => new Polygon(a) },
  box: { dim: 3, args: ["x0", "y0", "z0", "x1", "y1", "z1"], make: (a) => new Box3(a.slice(0, 3), a.slice(3, 6)) },
  ball: { dim: 3, args: ["cx", "cy", "cz", "r"], make: (a) => new Ball(a[0]!, a[1]!, a[2]!, a[3]!) },
  cylinder: { dim: 3, args: ["cx", "cy", "r", "z0", "z1"], make: (a) => new Cylinder(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!) },
};
