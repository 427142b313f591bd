/// <reference types="vite/client" />

// The Natural Earth TopoJSON is bundled by Vite; typed loosely here so the type checker does not
// infer a type from a megabyte of arcs.
declare module 'world-atlas/*.json' {
  const topology: unknown;
  export default topology;
}
