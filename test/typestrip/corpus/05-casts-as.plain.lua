local data = {n = 5, s = "str", list = {1, 2, 3}}
local n = data.n
local s = (data.s):upper()
local total = data.n + #(data.list) * 2
local t = {a = data.n, b = data.s, data.list}
local function id(v) return v end
local called = id(data.n, 1)
local chained = id(data)
local str = "x" .. (data.s) .. tostring(data.n)
if data.n > 3 then str = str .. "!" end
local fnv = (function(x) return x end)
local un = id(data.n)
local cmp = data.n <= 5
local neg = -data.n
local multi = data.n
local idx = #t[data.n - 4]
local opt = data.missing
local gen = data.list
return table.concat({n, s, total, t.a, t.b, #t[1], called, chained.n, str, fnv(8), un,
  tostring(cmp), neg, multi, idx, tostring(opt), #gen}, ",")
