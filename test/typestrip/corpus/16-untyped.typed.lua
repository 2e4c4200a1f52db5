-- Plain Lua 5.3 with nothing to strip: must come back byte-for-byte.
local M = {}
M.__index = M
local t = setmetatable({}, M)
function M.new(x) return setmetatable({x = x}, M) end
function M:get() return self.x end
function M.a(x) return x end
local obj = M.new(3)
local r = {}
r[#r + 1] = obj:get()
r[#r + 1] = ("%d:%s"):format(1, "a")
r[#r + 1] = #"len" .. [[long
string]] .. [==[x]]y]==]
local n = 0
for i = 1, 10 do
  if i % 2 == 0 then goto skip end
  n = n + i
  ::skip::
end
r[#r + 1] = n
local x = 5 -- comment: local y: number
--[[ type T = {} ]]
r[#r + 1] = x // 2 .. x % 3 .. x ^ 2 .. (x & 3) .. (x | 8) .. (x ~ 1) .. (~x) .. (x << 2) .. (x >> 1)
r[#r + 1] = tostring(not nil) .. tostring(1 < 2) .. tostring(2 <= 2) .. tostring(3 > 2) .. tostring(3 >= 4) .. tostring(1 ~= 1)
local function varf(...) local a, b = ...; return select("#", ...) + (a or 0) end
r[#r + 1] = varf(1, 2, 3)
r[#r + 1] = type(nil) .. type({}) .. type(print)
local s = "a:b"
r[#r + 1] = s:sub(1, 1) .. s:sub(3)
repeat n = n - 10 until n < 0
r[#r + 1] = n;
while n < 0 do n = n + 1 end
r[#r + 1] = (function() return 1, 2 end)()
return table.concat(r, ",")
