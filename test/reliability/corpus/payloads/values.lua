local values = {
  cycle = function() local t = {} t.self = t return t end,
  fn = function() return {cb = function() end} end,
  big = function() return string.rep("x", 10 * 1024 * 1024) end,
  deep = function() local t = {} local c = t for _ = 1, 300 do c.n = {} c = c.n end return t end,
  utf8 = function() return {name = "caf\xe9"} end,
  nan = function() return {ratio = 0 / 0} end,
  inf = function() return {1, 2, math.huge} end,
  thread = function() return coroutine.create(print) end,
  boolkey = function() return {[true] = 1} end,
}
return function(kind) return values[kind]() end
