return function(id) return { released = id } end
