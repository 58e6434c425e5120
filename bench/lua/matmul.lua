-- matmul: float matrices as arrays of row arrays. Builds A and B (350 x 350, entries in [-1, 1)
-- from a Park-Miller generator), computes C = A * B with the i-k-j loop order (each row of C
-- accumulated in place), then D = C * A. Prints floor(trace * 1000) of C and of D.
-- Expected output: -162199 1366042
local function make(n, seed)
  local m = {}
  for _ = 1, n do
    local row = {}
    for _ = 1, n do
      seed = seed * 16807 % 2147483647
      row[#row + 1] = (seed % 1000) / 500.0 - 1.0
    end
    m[#m + 1] = row
  end
  return m
end

local function mul(a, b, n)
  local c = {}
  for i = 1, n do
    local row = {}
    for j = 1, n do
      row[j] = 0.0
    end
    local ai = a[i]
    for k = 1, n do
      local aik = ai[k]
      local bk = b[k]
      for j = 1, n do
        row[j] = row[j] + aik * bk[j]
      end
    end
    c[i] = row
  end
  return c
end

local function trace(m, n)
  local t = 0.0
  for i = 1, n do
    t = t + m[i][i]
  end
  return t
end

local function run(n)
  local a = make(n, 1)
  local b = make(n, 2)
  local c = mul(a, b, n)
  local d = mul(c, a, n)
  return trace(c, n), trace(d, n)
end

local t1, t2 = run(350)
print(string.format("%d %d", math.floor(t1 * 1000), math.floor(t2 * 1000)))
