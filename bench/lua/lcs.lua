-- lcs: dynamic programming, longest common subsequence of two pseudo-random sequences over a
-- 4-letter alphabet (arrays of ints), with two int rows swapped after each row. 10 pairs of
-- length 2,000. Prints the LCS lengths summed.
-- Expected output: 12965
local function gen(n, seed)
  local s = {}
  for i = 1, n do
    seed = seed * 16807 % 2147483647
    s[i] = seed % 4
  end
  return s, seed
end

local function lcs(a, n, b, m)
  -- row[j + 1] holds column j, for j in [0, m]
  local prev = {}
  local cur = {}
  for j = 1, m + 1 do
    prev[j] = 0
    cur[j] = 0
  end
  for i = 1, n do
    local ai = a[i]
    for j = 1, m do
      if ai == b[j] then
        cur[j + 1] = prev[j] + 1
      else
        local up = prev[j + 1]
        local left = cur[j]
        if up > left then
          cur[j + 1] = up
        else
          cur[j + 1] = left
        end
      end
    end
    local t = prev
    prev = cur
    cur = t
  end
  return prev[m + 1]
end

local function run(n, pairs)
  local seed = 12345
  local total = 0
  for _ = 1, pairs do
    local a, b
    a, seed = gen(n, seed)
    b, seed = gen(n, seed)
    total = total + lcs(a, n, b, n)
  end
  return total
end

print(string.format("%d", run(2000, 10)))
