type Port = integer @min(1) @max(65535)
type Config = {
  host: string @pattern("^[a-z]+$"),
  port: Port,
  ids: number[],
  grid: number[][],
  lookup: Config["host"],
  read kind: string,
}
type Keys = keyof(Config)
type Pick<T> = T extends string ? "s" : "o"
type Cb = fun(err: string?, data: any): boolean
type Frozen = readonly {[string]: number}
type Iface = interface {name: string}
type Pack = fun(...)
local function check(x: any): asserts x is string
  assert(type(x) == "string")
end
local function each(cb: fun(i: integer): (), n: integer): integer
  for i = 1, n do cb(i) end
  return n
end
local seen = 0
each(function(i: integer) seen = seen + i end, 4)
check("ok")
local ids: number[] = {1, 2}
return tostring(seen) .. #ids
