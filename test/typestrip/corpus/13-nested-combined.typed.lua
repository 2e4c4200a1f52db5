type Req = {path: string, headers: {[string]: string}?}
type Next = (req: Req) -> (number, string)
type Middleware = (nxt: (req: Req) -> (number, string)) -> ((req: Req) -> (number, string))
type Registry<T> = {[string]: {handler: (T, ...any) -> (boolean, string?), tags: {string}?}}

local function compose(a: Middleware, b: Middleware): Middleware
  return function(nxt: (req: Req) -> (number, string)): (req: Req) -> (number, string)
    return a(b(nxt))
  end
end

local logged: {string} = {}
local m1: Middleware = function(nxt: Next): Next
  return function(req: Req): (number, string)
    logged[#logged + 1] = "m1" .. req.path
    return nxt(req)
  end
end
local m2: Middleware = function(nxt) return function(req) logged[#logged + 1] = "m2"; return nxt(req) end end
local final: Next = function(req: Req): (number, string) return 200, "ok:" .. req.path end

local handlers: {[string]: (number) -> number} = {
  double = function(x: number): number return x * 2 end,
  ["square"] = function(x: number): number return x * x end,
  function(x: number): number return -x end,
}
local reg: Registry<string> = {a = {handler = function(s: string, ...: any): (boolean, string?) return true, s end}}
local ok, msg = reg.a.handler("h")
local code, body = compose(m1, m2)(final)({path = "/x"} :: Req)
local maybe: ((number) -> number)? = handlers.double
local union: ((string) -> string) | {string} | nil = nil
return table.concat(logged, ">") .. code .. body .. handlers.double(3) .. handlers.square(3) ..
  handlers[1](3) .. tostring(ok) .. msg .. maybe(1) .. tostring(union)
