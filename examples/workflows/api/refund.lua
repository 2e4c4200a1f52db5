return function(id) return { refunded = id } end
