-- strindex: strings walked by character index. Builds an ASCII text and a mixed text (é, 日
-- and 😀 among ASCII letters) of n characters each from a Park-Miller generator, then, each
-- round, walks both by index (counting a target character and summing its positions modulo
-- 1000) and reads n characters of each at positions from the generator (counting the
-- target). Lua strings are bytes: the ASCII text is read with string.byte, the mixed one
-- through a table of its code points, decoded once (by hand: LuaJIT has no utf8 library).
-- n = 200,000, 10 rounds. Prints the counts and the sum.
-- Expected output: 598050 200000 298874310 401610

-- The code points of the UTF-8 text s, in a table.
local function code_points(s)
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = string.byte(s, i)
    local len, cp
    if c < 0x80 then len, cp = 1, c
    elseif c < 0xE0 then len, cp = 2, c % 0x20
    elseif c < 0xF0 then len, cp = 3, c % 0x10
    else len, cp = 4, c % 0x08 end
    for k = i + 1, i + len - 1 do
      cp = cp * 64 + string.byte(s, k) % 0x40
    end
    out[#out + 1] = cp
    i = i + len
  end
  return out
end

local function make_text(pool, n, seed)
  local m = #pool
  local parts = {}
  for i = 1, n do
    seed = seed * 16807 % 2147483647
    parts[i] = pool[seed % m + 1]
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
  local ascii = make_text({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, n, 1)
  local wide = make_text({"a", "é", "日", "😀", "b", "c", "d", "e", "f", "g"}, n, 2)
  local codes = code_points(wide)
  local function cp(ch) return code_points(ch)[1] end
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
  print(string.format("%d %d %d %d", hits, #codes, sum, probes))
end

run(200000, 10)
