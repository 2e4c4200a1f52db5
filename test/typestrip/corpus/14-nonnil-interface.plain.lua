








local function maybe(x) return x end
local v = maybe(4)
local w = (maybe(5) + 1)
local t = {n = maybe(6)}
local chain = t.n
return v .. "," .. w .. "," .. t.n .. "," .. chain
