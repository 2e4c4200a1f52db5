














local function check(x)
  assert(type(x) == "string")
end
local function each(cb, n)
  for i = 1, n do cb(i) end
  return n
end
local seen = 0
each(function(i) seen = seen + i end, 4)
check("ok")
local ids = {1, 2}
return tostring(seen) .. #ids
