-- closures: each round makes three new closures over the round's variables and passes them to
-- hand-written map, filter and reduce over an array of n ints; n = 10,000, 1,500 rounds.
-- Prints the sum over all rounds.
-- Expected output: 2494087178
local function map(a, f)
  local out = {}
  for i = 1, #a do
    out[#out + 1] = f(a[i])
  end
  return out
end

local function filter(a, p)
  local out = {}
  for i = 1, #a do
    local x = a[i]
    if p(x) then
      out[#out + 1] = x
    end
  end
  return out
end

local function reduce(a, f, acc)
  for i = 1, #a do
    acc = f(acc, a[i])
  end
  return acc
end

local function run(n, rounds)
  local base = {}
  for i = 0, n - 1 do
    base[#base + 1] = i
  end
  local total = 0
  for r = 0, rounds - 1 do
    local k = r % 7 + 1
    local scaled = map(base, function(x) return x * k + r end)
    local picked = filter(scaled, function(x) return x % 3 == k % 3 end)
    total = total + reduce(picked, function(acc, x) return acc + x % 1000 end, 0)
  end
  return total
end

print(string.format("%d", run(10000, 1500)))
