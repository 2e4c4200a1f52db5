local a: number = 0x10
local b: number = 1e3
local c: number = 0x1p4
local d: number = .5
local e: number = 3.
local f = 0xff as integer
local g = 2^10 as number
local h = 7 // 2 :: integer
local i = 1 << 4 | 0x0F & ~0 ~ 3 >> 1
local j = math.maxinteger as integer
local k: number = 1E-2 + 0XA.8P1 + 5e+1
local l = 3-2 as number
return table.concat({a, b, c, d, e, f, g, h, i, tostring(j == math.maxinteger), k, l}, ",")
