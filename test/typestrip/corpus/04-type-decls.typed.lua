type Status = "pending" | "active" | "done"
type UserId = number
export type User = {
  id: UserId,
  name: string,
  email: string?,     -- optional
  tags: {string},
  meta: {[string]: any},
  onSave: ((u: User) -> boolean)?,
  format: (self: User, width: number) -> string,
  timeout?: number;
  [number]: boolean,
}
type Result<T, E> =
  | {ok: true, value: T}
  | {ok: false, error: E}
type Named = {name: string}
type Aged = {age: number}
type Person = Named & Aged
type Callback = (err: string?, ...any) -> (boolean, string?)
type Handler = (number, string) -> ()
type Vararg = (...number) -> ...string
type Same = typeof(setmetatable({}, {}))
type Ref = json.Value
type Gen<T> = Array<T | nil>
type Fn = <T>(x: T) -> T
type Empty = {}
type Lit = 42 | true | false | nil | 'single'
type Multi<K, V> = {
  [K]: V
}
export type Nested = {inner: {deeper: {deepest: (a: {x: number}?) -> {y: string}}}}

local type_count = 0
local function count(kind: Status): number
  type_count = type_count + 1
  return type_count
end
count("pending"); count("done")
local r: Result<number, string> = {ok = true, value = 5}
return tostring(type_count) .. ":" .. tostring(r.value)
