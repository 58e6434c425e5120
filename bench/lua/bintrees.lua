-- bintrees: allocation-heavy recursive data. Binary trees of nodes {left, right, value}
-- (leaves have false children) are built and walked: one long-lived tree of depth 15, then for
-- each depth d = 4, 6, ..., 14, 2^(15 - d + 4) trees of depth d, each built and checked
-- (check = value + check(left) - check(right)). Prints the sum of the checks and the long-lived
-- tree's check.
-- Expected output: 572640432 -1
local function make(value, depth)
  if depth == 0 then
    return {false, false, value}
  end
  return {make(2 * value - 1, depth - 1), make(2 * value, depth - 1), value}
end

local function check(t)
  if not t[1] then
    return t[3]
  end
  return t[3] + check(t[1]) - check(t[2])
end

local function run(max_depth)
  local long_lived = make(0, max_depth)
  local total = 0
  local d = 4
  while d <= max_depth do
    local iters = 1
    for _ = 1, max_depth - d + 4 do
      iters = iters * 2
    end
    for i = 1, iters do
      total = total + check(make(i, d))
    end
    d = d + 2
  end
  return total, check(long_lived)
end

local total, long = run(15)
print(string.format("%d %d", total, long))
