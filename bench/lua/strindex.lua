-- strindex: strings walked by character index. Builds an ASCII text and a mixed text (é, 日
-- and 😀 among ASCII letters) of n characters each from a Park-Miller generator, then, each
-- round, walks both by index (counting a target character and summing its positions modulo
-- 1000) and reads n characters of each at positions from the generator (counting the
-- target). Lua strings are bytes: the ASCII text is read with string.byte, the mixed one
-- through a table of its code points (utf8.codepoint), made once. n = 200,000, 10 rounds.
-- Prints the counts and the sum.
-- Expected output: 598050 200000 298874310 401610
local function make_text(pool, n, seed)
  local chars = {}
  for _, c in utf8.codes(pool) do
    chars[#chars + 1] = utf8.char(c)
  end
  local m = #chars
  local parts = {}
  for i = 1, n do
    seed = seed * 16807 % 2147483647
    parts[i] = chars[seed % m + 1]
  end
  return table.concat(parts)
end

local byte = string.byte

-- Walk the n bytes of s in order: count and position sum of ch.
local function walk_bytes(s, n, ch)
  local hits, sum = 0, 0
  for i = 1, n do
    if byte(s, i) == ch then
      hits = hits + 1
      sum = sum + (i - 1) % 1000
    end
  end
  return hits, sum
end

-- The same over a table of n code points.
local function walk_codes(t, n, ch)
  local hits, sum = 0, 0
  for i = 1, n do
    if t[i] == ch then
      hits = hits + 1
      sum = sum + (i - 1) % 1000
    end
  end
  return hits, sum
end

-- Read n bytes of s at positions from the generator: the count of ch.
local function probe_bytes(s, n, ch, seed)
  local hits = 0
  for _ = 1, n do
    seed = seed * 16807 % 2147483647
    if byte(s, seed % n + 1) == ch then
      hits = hits + 1
    end
  end
  return hits
end

-- The same over a table of n code points.
local function probe_codes(t, n, ch, seed)
  local hits = 0
  for _ = 1, n do
    seed = seed * 16807 % 2147483647
    if t[seed % n + 1] == ch then
      hits = hits + 1
    end
  end
  return hits
end

local function run(n, rounds)
  local ascii = make_text("abcdefghij", n, 1)
  local wide = make_text("aé日😀bcdefg", n, 2)
  local codes = {utf8.codepoint(wide, 1, -1)}
  local cp = utf8.codepoint
  local hits, sum, probes = 0, 0, 0
  for r = 0, rounds - 1 do
    local h1, s1 = walk_bytes(ascii, #ascii, cp("a"))
    local h2, s2 = walk_codes(codes, #codes, cp("é"))
    local h3, s3 = walk_codes(codes, #codes, cp("😀"))
    hits = hits + h1 + h2 + h3
    sum = sum + s1 + s2 + s3
    probes = probes + probe_bytes(ascii, #ascii, cp("b"), r + 3)
                    + probe_codes(codes, #codes, cp("日"), r + 5)
  end
  print(string.format("%d %d %d %d", hits, utf8.len(wide), sum, probes))
end

run(200000, 10)
