local data: any = {n = 5, s = "str", list = {1, 2, 3}}
local n = data.n as number
local s = (data.s as string):upper()
local total = data.n as number + #(data.list as {number}) * 2
local t = {a = data.n as integer, b = data.s as string, data.list as {number}}
local function id(v: any): any return v end
local called = id(data.n as number, 1)
local chained = id(data) as {n: number}
local str = "x" .. (data.s as string) .. tostring(data.n as number)
if data.n as number > 3 then str = str .. "!" end
local fnv = (function(x) return x end) as (number) -> number
local un = id(data.n) as number | string
local cmp = data.n as number <= 5
local neg = -data.n as number
local multi = data.n as number as integer
local idx = #t[data.n as number - 4]
local opt = data.missing as string?
local gen = data.list as Array<number>
return table.concat({n, s, total, t.a, t.b, #t[1], called, chained.n, str, fnv(8), un,
  tostring(cmp), neg, multi, idx, tostring(opt), #gen}, ",")
