-- dictstr: a table keyed by strings. Each round inserts n keys "k<i>" -> i + r, looks up n keys
-- "k<(i * 7) % (2n)>" (some missing) and adds 1 to each one found, deletes the keys with even i,
-- counts the entries left (with pairs) and sums the values of the odd keys by lookup.
-- n = 100,000, 4 rounds. Prints the totals over all rounds: hits, misses, entries left, sum.
-- Expected output: 228572 171428 200000 10000414288
local function run(n, rounds)
  local hits = 0
  local misses = 0
  local left = 0
  local sum = 0
  for r = 0, rounds - 1 do
    local d = {}
    for i = 0, n - 1 do
      d["k" .. tostring(i)] = i + r
    end
    for i = 0, n - 1 do
      local key = "k" .. tostring((i * 7) % (2 * n))
      local v = d[key]
      if v ~= nil then
        hits = hits + 1
        d[key] = v + 1
      else
        misses = misses + 1
      end
    end
    for i = 0, n - 1, 2 do
      d["k" .. tostring(i)] = nil
    end
    local count = 0
    for _ in pairs(d) do
      count = count + 1
    end
    left = left + count
    for i = 1, n - 1, 2 do
      sum = sum + d["k" .. tostring(i)]
    end
  end
  return hits, misses, left, sum
end

local hits, misses, left, sum = run(100000, 4)
print(string.format("%d %d %d %d", hits, misses, left, sum))
