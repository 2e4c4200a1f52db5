local Account = {}
Account.__index = Account
function Account.new(balance)
  return setmetatable({balance = balance}, Account)
end
function Account:deposit(v)
  self.balance = self.balance + v
  return self
end
function Account:get() return self.balance end
function Account : spaced ( v ) return v end
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
local o = {m = {n = function(self, x) return x + 1 end}}
local r5 = o.m:n(1)
return acc:get() .. s .. u .. table.concat(parts) .. r1 .. #r2 .. r3 .. r4 .. r5 .. acc:spaced(3) .. fmt("%d", acc.balance)
