-- wordfreq: string splitting and building. Each round makes n words (a vocabulary word plus a
-- number, chosen by a Park-Miller generator), joins them with " " (table.concat), splits the
-- text on " " (string.find, plain, and string.sub), counts the words in a table keyed by string,
-- and joins the words "alpha0".."alpha96" that occur with ",". n = 100,000, 40 rounds. Prints
-- the number of words, of distinct words (summed over rounds), the count of "beta7" (summed) and
-- the total length of the texts.
-- Expected output: 4000000 62080 2518 28617499
local VOCAB = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
               "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi"}

local function split(s, sep)
  local out = {}
  local pos = 1
  while true do
    local a = string.find(s, sep, pos, true)
    if not a then
      out[#out + 1] = string.sub(s, pos)
      return out
    end
    out[#out + 1] = string.sub(s, pos, a - 1)
    pos = a + #sep
  end
end

local function run(n, rounds)
  local seed = 42
  local words = 0
  local distinct = 0
  local total_len = 0
  local probe = 0
  for r = 0, rounds - 1 do
    local parts = {}
    for i = 0, n - 1 do
      seed = seed * 16807 % 2147483647
      parts[#parts + 1] = VOCAB[seed % 16 + 1] .. tostring(seed % 97)
    end
    local text = table.concat(parts, " ")
    local ws = split(text, " ")
    local counts = {}
    local nd = 0
    for i = 1, #ws do
      local w = ws[i]
      local c = counts[w]
      if c == nil then
        nd = nd + 1
        counts[w] = 1
      else
        counts[w] = c + 1
      end
    end
    local alphas = {}
    for j = 0, 96 do
      local key = "alpha" .. tostring(j)
      if counts[key] ~= nil then
        alphas[#alphas + 1] = key
      end
    end
    local joined = table.concat(alphas, ",")
    words = words + #ws
    distinct = distinct + nd
    probe = probe + counts["beta7"]
    total_len = total_len + #text + #joined
  end
  return words, distinct, probe, total_len
end

local words, distinct, probe, total_len = run(100000, 40)
print(string.format("%d %d %d %d", words, distinct, probe, total_len))
