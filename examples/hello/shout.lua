return {
  main = function(s)
    if type(s) ~= "string" then
      return nil, errors.new({ kind = errors.INVALID, message = "expected a string, got " .. type(s) })
    end
    return string.upper(s) .. "!"
  end,
}
