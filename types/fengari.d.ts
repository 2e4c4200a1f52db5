// Minimal ambient declarations for fengari (it ships no types). The host code goes through
// runtime/lua/vm.ts, which narrows the few functions it uses; everything here is deliberately loose.
declare module 'fengari' {
  export const lua: any;
  export const lauxlib: any;
  export const lualib: any;
  export const luaconf: any;
  export function to_luastring(s: string, cache?: boolean): Uint8Array;
  export function to_jsstring(s: Uint8Array, from?: number, to?: number, replacement_char?: boolean): string;
  export function to_uristring(s: Uint8Array): string;
  export const luastring_eq: (a: Uint8Array, b: Uint8Array) => boolean;
  export const luastring_indexOf: (s: Uint8Array, v: number, i?: number) => number;
  export const luastring_of: (...codes: number[]) => Uint8Array;
}
