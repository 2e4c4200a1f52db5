-- a comment with types: local x: number = 1 as string
--[[ block comment
  function f(a: number): string end
  type X = {y: z}
]]
--[==[ level-2 comment with ]] inside and x :: y ]==]
local s1: string = "a: b as c :: d"
local s2 = 'it\'s: "quoted" as well'
local s3 = "escaped \" quote: x as y" -- type T = string
local s4 = [[long: string
with as and :: and type T = x
]]
local s5 = [==[level 2 ]] still: inside ]=] too]==]
local s6 = "line\
continued: as"
local s7 = "skip \z
     whitespace"
local s8 = "\x41\65\u{48}\t:\\"
local s9: string = [[x]] .. [=[y]=] --[[ c ]] .. "z"
local n = #s4 -- length
local s10 = "as" as string
local s11 = ("type T = {}") :: string
--[[ a comment ]] local s12 --[[ between ]] : --[[ inside ]] string --[[ after ]] = "c"
return table.concat({s1, s2, s3, s4, s5, s6, s7, s8, s9, tostring(n), s10, s11, s12}, "|")
