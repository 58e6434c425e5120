-- qsort: array algorithms on an int array. Each round fills the array with Park-Miller
-- pseudo-random ints, sorts it with a hand-written recursive quicksort (Hoare partition, middle
-- pivot), checks it is sorted, then binary-searches n keys (every other one taken from the array).
-- n = 100,000, 8 rounds. Prints the number of keys found, the sum of the medians and the number of
-- unsorted neighbours (0).
-- Expected output: 438367 3992477 0
local function quicksort(a, lo, hi)
  if lo >= hi then
    return
  end
  local p = a[lo + math.floor((hi - lo) / 2)]
  local i = lo
  local j = hi
  while i <= j do
    while a[i] < p do
      i = i + 1
    end
    while a[j] > p do
      j = j - 1
    end
    if i <= j then
      local t = a[i]
      a[i] = a[j]
      a[j] = t
      i = i + 1
      j = j - 1
    end
  end
  quicksort(a, lo, j)
  quicksort(a, i, hi)
end

local function bsearch(a, n, key)
  local lo = 1
  local hi = n
  while lo <= hi do
    local mid = lo + math.floor((hi - lo) / 2)
    local v = a[mid]
    if v == key then
      return true
    elseif v < key then
      lo = mid + 1
    else
      hi = mid - 1
    end
  end
  return false
end

local function run(n, rounds)
  local a = {}
  local seed = 7
  local found = 0
  local medians = 0
  local unsorted = 0
  for r = 0, rounds - 1 do
    for i = 1, n do
      seed = seed * 16807 % 2147483647
      a[i] = seed % 1000000
    end
    quicksort(a, 1, n)
    for i = 1, n - 1 do
      if a[i] > a[i + 1] then
        unsorted = unsorted + 1
      end
    end
    medians = medians + a[math.floor(n / 2) + 1]
    for i = 1, n do
      local key
      if i % 2 == 0 then
        key = a[i]
      else
        seed = seed * 16807 % 2147483647
        key = seed % 1000000
      end
      if bsearch(a, n, key) then
        found = found + 1
      end
    end
  end
  return found, medians, unsorted
end

local found, medians, unsorted = run(100000, 8)
print(string.format("%d %d %d", found, medians, unsorted))
