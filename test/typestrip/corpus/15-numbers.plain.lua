local a = 0x10
local b = 1e3
local c = 0x1p4
local d = .5
local e = 3.
local f = 0xff
local g = 2^10
local h = 7 // 2
local i = 1 << 4 | 0x0F & ~0 ~ 3 >> 1
local j = math.maxinteger
local k = 1E-2 + 0XA.8P1 + 5e+1
local l = 3-2
return table.concat({a, b, c, d, e, f, g, h, i, tostring(j == math.maxinteger), k, l}, ",")
