// All tracks in one WebGL custom layer: a dot per track coloured by party and a 6-minute speed
// vector. An update replaces four vertex buffers (positions, vectors and their colours, all
// packed by the track worker) on the next frame, so 10,000 tracks cost the page a few buffer
// uploads, not 10,000 features through the style machinery.
import type { CustomLayerInterface, CustomRenderMethodInput, Map as MlMap } from 'maplibre-gl';
import type { Frame } from './track-protocol.js';

export { PARTY_COLOURS } from './track-protocol.js';

const VS = `
attribute vec2 a_pos;
attribute vec4 a_colour;
uniform mat4 u_matrix;
uniform float u_size;
varying vec4 v_colour;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  gl_PointSize = u_size * a_colour.a;
  v_colour = a_colour;
}`;
const FS_POINT = `
precision mediump float;
varying vec4 v_colour;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  float r = length(d);
  if (r > 0.5) discard;
  float edge = smoothstep(0.5, 0.38, r);
  float alpha = v_colour.a > 0.75 ? 1.0 : 0.45;
  gl_FragColor = vec4(v_colour.rgb * alpha * edge, alpha * edge);
}`;
const FS_LINE = `
precision mediump float;
varying vec4 v_colour;
void main() {
  float alpha = v_colour.a > 0.75 ? 0.9 : 0.35;
  gl_FragColor = vec4(v_colour.rgb * alpha, alpha);
}`;

function compile(gl: WebGLRenderingContext, vs: string, fs: string): WebGLProgram {
  const shader = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS))
      throw new Error(gl.getShaderInfoLog(s) ?? 'shader');
    return s;
  };
  const p = gl.createProgram()!;
  gl.attachShader(p, shader(gl.VERTEX_SHADER, vs));
  gl.attachShader(p, shader(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS))
    throw new Error(gl.getProgramInfoLog(p) ?? 'link');
  return p;
}

export class TrackLayer implements CustomLayerInterface {
  readonly id = 'tracks-gl';
  readonly type = 'custom';
  readonly renderingMode = '2d';
  private map: MlMap | undefined;
  private points: WebGLProgram | undefined;
  private lines: WebGLProgram | undefined;
  private posBuf: WebGLBuffer | null = null;
  private colBuf: WebGLBuffer | null = null;
  private vecBuf: WebGLBuffer | null = null;
  private vecColBuf: WebGLBuffer | null = null;
  private frame: Frame | undefined;
  private readonly loc = new Map<
    WebGLProgram,
    {
      matrix: WebGLUniformLocation | null;
      size: WebGLUniformLocation | null;
      pos: number;
      colour: number;
    }
  >();
  private dirty = false;
  private n = 0;

  onAdd(map: MlMap, gl: WebGLRenderingContext | WebGL2RenderingContext): void {
    this.map = map;
    this.points = compile(gl, VS, FS_POINT);
    this.lines = compile(gl, VS, FS_LINE);
    this.posBuf = gl.createBuffer();
    this.colBuf = gl.createBuffer();
    this.vecBuf = gl.createBuffer();
    this.vecColBuf = gl.createBuffer();
  }

  onRemove(_map: MlMap, gl: WebGLRenderingContext | WebGL2RenderingContext): void {
    for (const b of [this.posBuf, this.colBuf, this.vecBuf, this.vecColBuf]) gl.deleteBuffer(b);
    if (this.points) gl.deleteProgram(this.points);
    if (this.lines) gl.deleteProgram(this.lines);
  }

  /** Takes a new picture; it is uploaded on the next frame. */
  setFrame(frame: Frame): void {
    this.frame = frame;
    this.dirty = true;
    this.map?.triggerRepaint();
  }

  private upload(gl: WebGLRenderingContext): void {
    const f = this.frame!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
    gl.bufferData(gl.ARRAY_BUFFER, f.xy, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colBuf);
    gl.bufferData(gl.ARRAY_BUFFER, f.dotColour, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vecBuf);
    gl.bufferData(gl.ARRAY_BUFFER, f.vec, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vecColBuf);
    gl.bufferData(gl.ARRAY_BUFFER, f.vecColour, gl.DYNAMIC_DRAW);
    this.n = f.count;
    this.dirty = false;
  }

  private draw(
    gl: WebGLRenderingContext,
    program: WebGLProgram,
    pos: WebGLBuffer | null,
    colour: WebGLBuffer | null,
    matrix: Float32List,
    mode: number,
    vertices: number,
    size: number,
  ): void {
    gl.useProgram(program);
    let l = this.loc.get(program);
    if (!l) {
      l = {
        matrix: gl.getUniformLocation(program, 'u_matrix'),
        size: gl.getUniformLocation(program, 'u_size'),
        pos: gl.getAttribLocation(program, 'a_pos'),
        colour: gl.getAttribLocation(program, 'a_colour'),
      };
      this.loc.set(program, l);
    }
    gl.uniformMatrix4fv(l.matrix, false, matrix);
    gl.uniform1f(l.size, size);
    const aPos = l.pos;
    const aCol = l.colour;
    gl.bindBuffer(gl.ARRAY_BUFFER, pos);
    gl.enableVertexAttribArray(aPos);
    gl.vertexAttribPointer(aPos, 2, gl.FLOAT, false, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, colour);
    gl.enableVertexAttribArray(aCol);
    gl.vertexAttribPointer(aCol, 4, gl.FLOAT, false, 0, 0);
    gl.drawArrays(mode, 0, vertices);
    gl.disableVertexAttribArray(aPos);
    gl.disableVertexAttribArray(aCol);
  }

  render(gl: WebGLRenderingContext | WebGL2RenderingContext, args: CustomRenderMethodInput): void {
    if (!this.points || !this.lines) return;
    if (this.dirty && this.frame) this.upload(gl);
    if (this.n === 0) return;
    const matrix = args.defaultProjectionData.mainMatrix as Float32List;
    const zoom = this.map?.getZoom() ?? 5;
    const size = Math.max(4, Math.min(9, zoom * 0.9));
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    this.draw(gl, this.lines, this.vecBuf, this.vecColBuf, matrix, gl.LINES, 2 * this.n, 1);
    this.draw(gl, this.points, this.posBuf, this.colBuf, matrix, gl.POINTS, this.n, size);
  }
}
