-- deeprec: deep non-tail recursion. build(n) makes the list n, n-1, ..., 1 as nested pairs
-- {head, tail} (false at the end) by non-tail recursion; sum walks it the same way. Round r uses
-- depth 100,000 - r; 20 rounds. Prints the total. (LuaJIT cannot run it: its Lua stack is capped
-- at 65,500 slots, about depth 16,000 here.)
-- Expected output: 99982001140
local function build(n)
  if n == 0 then
    return false
  end
  return {n, build(n - 1)}
end

local function sum(l)
  if not l then
    return 0
  end
  return l[1] + sum(l[2])
end

local function run(depth, rounds)
  local total = 0
  for r = 0, rounds - 1 do
    total = total + sum(build(depth - r))
  end
  return total
end

print(string.format("%d", run(100000, 20)))
