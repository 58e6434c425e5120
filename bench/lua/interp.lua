-- interp: a bytecode interpreter for a tiny stack machine, written in Lua. The program (an array
-- of ints) runs the loop
--   s = 0; i = 0; while i < n { s = (s + i * i) % 1000003; i = i + 1 }
-- with n = 2,000,000 in register 2; the interpreter dispatches with an if/elseif chain. Prints
-- s, the number of instructions executed and the final stack depth.
-- Opcodes: 0 PUSH k, 1 LOAD r, 2 STORE r, 3 ADD, 4 SUB, 5 MUL, 6 MOD, 7 LT, 8 JZ addr,
-- 9 JMP addr, 10 HALT. Addresses are 0-based offsets into the code (code[pc + 1] in Lua).
-- Expected output: 999912 34000010 1
local CODE = {
  0, 0, 2, 0,           -- 0: s = 0
  0, 0, 2, 1,           -- 4: i = 0
  1, 1, 1, 2, 7, 8, 37, -- 8: if not (i < n) goto 37
  1, 0, 1, 1, 1, 1, 5, 3, 0, 1000003, 6, 2, 0, -- 15: s = (s + i * i) % 1000003
  1, 1, 0, 1, 3, 2, 1,  -- 28: i = i + 1
  9, 8,                 -- 35: goto 8
  1, 0, 10,             -- 37: push s; halt
}

local function execute(code, regs)
  local stack = {}
  for i = 1, 16 do
    stack[i] = 0
  end
  local sp = 0
  local pc = 0
  local steps = 0
  while true do
    local op = code[pc + 1]
    steps = steps + 1
    if op == 1 then
      sp = sp + 1
      stack[sp] = regs[code[pc + 2] + 1]
      pc = pc + 2
    elseif op == 0 then
      sp = sp + 1
      stack[sp] = code[pc + 2]
      pc = pc + 2
    elseif op == 2 then
      regs[code[pc + 2] + 1] = stack[sp]
      sp = sp - 1
      pc = pc + 2
    elseif op == 3 then
      sp = sp - 1
      stack[sp] = stack[sp] + stack[sp + 1]
      pc = pc + 1
    elseif op == 4 then
      sp = sp - 1
      stack[sp] = stack[sp] - stack[sp + 1]
      pc = pc + 1
    elseif op == 5 then
      sp = sp - 1
      stack[sp] = stack[sp] * stack[sp + 1]
      pc = pc + 1
    elseif op == 6 then
      sp = sp - 1
      stack[sp] = stack[sp] % stack[sp + 1]
      pc = pc + 1
    elseif op == 7 then
      sp = sp - 1
      if stack[sp] < stack[sp + 1] then
        stack[sp] = 1
      else
        stack[sp] = 0
      end
      pc = pc + 1
    elseif op == 8 then
      local v = stack[sp]
      sp = sp - 1
      if v == 0 then
        pc = code[pc + 2]
      else
        pc = pc + 2
      end
    elseif op == 9 then
      pc = code[pc + 2]
    else
      return stack[sp], steps, sp
    end
  end
end

local function run(n)
  local regs = {0, 0, n}
  return execute(CODE, regs)
end

local s, steps, depth = run(2000000)
print(string.format("%d %d %d", s, steps, depth))
