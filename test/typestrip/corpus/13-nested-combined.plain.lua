




local function compose(a, b)
  return function(nxt)
    return a(b(nxt))
  end
end

local logged = {}
local m1 = function(nxt)
  return function(req)
    logged[#logged + 1] = "m1" .. req.path
    return nxt(req)
  end
end
local m2 = function(nxt) return function(req) logged[#logged + 1] = "m2"; return nxt(req) end end
local final = function(req) return 200, "ok:" .. req.path end

local handlers = {
  double = function(x) return x * 2 end,
  ["square"] = function(x) return x * x end,
  function(x) return -x end,
}
local reg = {a = {handler = function(s, ...) return true, s end}}
local ok, msg = reg.a.handler("h")
local code, body = compose(m1, m2)(final)({path = "/x"})
local maybe = handlers.double
local union = nil
return table.concat(logged, ">") .. code .. body .. handlers.double(3) .. handlers.square(3) ..
  handlers[1](3) .. tostring(ok) .. msg .. maybe(1) .. tostring(union)
