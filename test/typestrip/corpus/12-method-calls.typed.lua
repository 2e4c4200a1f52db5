local Account = {}
Account.__index = Account
function Account.new(balance: number): Account
  return setmetatable({balance = balance}, Account)
end
function Account:deposit(v: number): Account
  self.balance = self.balance + v
  return self
end
function Account:get(): number return self.balance end
function Account : spaced ( v : number ) : number return v end
local acc = Account.new(10)
acc:deposit(5):deposit(2)
local s = ("x"):rep(3)
local u = s:upper():lower()
local parts = {}
for w in ("a,b,c"):gmatch("[^,]+") do parts[#parts + 1] = w:upper() end
local fmt = string.format
local tbl = {f = function(self, x) return x end}
local r1 = tbl:f"str"
local r2 = tbl:f{1}
local r3 = tbl:f[[long]]
local r4 = tbl
  :f(
    "multi"
  )
local o = {m = {n = function(self: any, x: number): number return x + 1 end}}
local r5 = o.m:n(1) as number
return acc:get() .. s .. u .. table.concat(parts) .. r1 .. #r2 .. r3 .. r4 .. r5 .. acc:spaced(3) .. fmt("%d", acc.balance)
