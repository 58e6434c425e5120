-- sieve: an array of booleans, reused each round: reset to true, cross out multiples, count.
-- Round r sieves [2, n - 1000 r]; n = 1,000,000, 30 rounds. Prints the sum of the counts and
-- the last count. (Index k is the number k, from 1: Lua arrays start at 1.)
-- Expected output: 2323834 76426
local function sieve(flags, n)
  for i = 2, n do
    flags[i] = true
  end
  local i = 2
  while i * i <= n do
    if flags[i] then
      local j = i * i
      while j <= n do
        flags[j] = false
        j = j + i
      end
    end
    i = i + 1
  end
  local count = 0
  for k = 2, n do
    if flags[k] then
      count = count + 1
    end
  end
  return count
end

local function run(n, rounds)
  local flags = {}
  for i = 1, n do
    flags[i] = false
  end
  local total = 0
  local last = 0
  for r = 0, rounds - 1 do
    last = sieve(flags, n - r * 1000)
    total = total + last
  end
  return total, last
end

local total, last = run(1000000, 30)
print(string.format("%d %d", total, last))
