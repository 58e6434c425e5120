//! The standard library (natives and prelude), tested through the public API: each test runs
//! a small Ruff program and compares what it prints, or the error it fails with.

mod common;

use common::{engine, fails, prints};

// ----- output and conversion -----

#[test]
fn to_string_and_str() {
    prints(
        r#"print(to_string(42) + "!")
print(str(1.5) + "|")
print(to_string([1, "a", null]))
print(to_string({"b": 2, "a": [true]}))
print(to_string(2.0) + to_string(3))
print(type(str(7)))
print(str("already"))
print(to_string(len))"#,
        "42!\n1.5|\n[1, a, null]\n{\"a\": [true], \"b\": 2}\n23\nstring\nalready\n<native function: len>\n",
    );
}

#[test]
fn to_int_conversions() {
    prints(
        r#"print(to_int("42") + 1)
print(to_int(" -15 "))
print(to_int(3.99), to_int(-3.99), to_int(7))
print(to_int(true), to_int(false))
print(type(to_int(2.5)))"#,
        "43\n-15\n3 -3 7\n1 0\nint\n",
    );
    fails(r#"to_int("abc")"#, "Cannot convert 'abc' to int");
    fails(r#"to_int("3.5")"#, "Cannot convert '3.5' to int");
    fails("to_int(null)", "Cannot convert null to int");
    fails("to_int(1e300)", "Cannot convert");
    fails("to_int([1])", "Cannot convert array to int");
}

#[test]
fn to_float_conversions() {
    prints(
        r#"print(to_float("2.5") * 2)
print(to_float(3))
print(type(to_float(3)))
print(to_float(true))
print(to_float(" 1e3 "))"#,
        "5\n3\nfloat\n1\n1000\n",
    );
    fails(r#"to_float("x1")"#, "Cannot convert 'x1' to float");
    fails("to_float({})", "Cannot convert dict to float");
}

#[test]
fn to_bool_conversions() {
    prints(
        r#"print(to_bool(1), to_bool(0), to_bool(0.0), to_bool(-2.5))
print(to_bool(""), to_bool("x"), to_bool("false"), to_bool("FALSE"), to_bool("0"), to_bool("no"))
print(to_bool([]), to_bool([0]), to_bool({}), to_bool({"a": 1}), to_bool(null), to_bool(true))
print(to_bool(print))"#,
        "true false false true\nfalse true false false false true\nfalse true false true false true\ntrue\n",
    );
}

#[test]
fn parse_int_and_parse_float() {
    prints(
        r#"print(parse_int("123") * 2)
print(parse_int(" -7 "))
print(parse_float("1.25"))
print(type(parse_float("2")))
print(parse_float("2"))"#,
        "246\n-7\n1.25\nfloat\n2\n",
    );
    fails(r#"parse_int("12x")"#, "Cannot parse '12x' as integer");
    fails(r#"parse_float("abc")"#, "Cannot parse 'abc' as float");
    fails("parse_int(12)", "parse_int expects a string, got int");
}

#[test]
fn type_names() {
    prints(
        r#"print(type(1), type(1.5), type("s"), type(true), type(null))
print(type([1]), type({}), type(func() { return 1 }), type(print), type(map))
print(type(7 / 2), type(7.0 / 2), type(type(1)))"#,
        "int float string bool null\narray dict function function function\nint float string\n",
    );
}

#[test]
fn format_placeholders() {
    prints(
        r#"print(format("{} + {} = {}", 1, 2, 3))
print(format("Hello, {}!", "Bob"))
print(format("{}|{}", [1, "a"], {"k": 2.5}))
print(format("plain"))
print(format("{{}} {}", null))
print(format("{} only", 1, 2))
print(format("{x}"))"#,
        "1 + 2 = 3\nHello, Bob!\n[1, a]|{\"k\": 2.5}\nplain\n{} null\n1 only\n{x}\n",
    );
    fails(
        r#"format("{} {}", 1)"#,
        "format: the template has more {} placeholders",
    );
    fails("format(1)", "format expects a string template, got int");
}

#[test]
fn asserts() {
    prints(
        r#"print(assert(1 + 1 == 2))
assert("non-empty")
print(assert_equal(2 * 3, 6))
assert_equal("ab", "a" + "b")
assert_equal([1, {"a": 2}], [1, {"a": 2}])
assert_equal(1, 1.0)
print("ok")"#,
        "true\ntrue\nok\n",
    );
    fails("assert(1 == 2)", "Assertion failed");
    fails("assert([])", "Assertion failed");
    fails(
        r#"assert(false, "x must be positive")"#,
        "Assertion failed: x must be positive",
    );
    fails(
        "assert_equal(1 + 1, 3)",
        "Assertion failed: expected 3, got 2",
    );
    fails(
        r#"assert_equal("1", 1)"#,
        "Assertion failed: expected 1, got \"1\"",
    );
    fails(
        "assert_equal([1], [2])",
        "Assertion failed: expected [2], got [1]",
    );
}

// ----- strings -----

#[test]
fn trims_and_collection_sizes() {
    prints(
        r#"print("[" + trim("tight") + "|" + trim_start("x  ") + "|" + trim_end("  x") + "]")
print("[" + trim("\u{2003}em\u{2003}") + "]", len(trim("")))
q := queue_enqueue(Queue(), 1)
s := Stack([1, 2, 3])
print(queue_size(q), queue_is_empty(q), stack_size(s), stack_is_empty(s), stack_size(Stack()))
a := Set([1, 2, 3])
print(set_to_array(set_union(a, a)), set_to_array(set_intersect(a, a)), set_to_array(set_difference(a, a)))"#,
        "[tight|x  |  x]\n[em] 0\n1 false 3 false 0\n[1, 2, 3] [1, 2, 3] []\n",
    );
    fails("trim_start(1)", "trim_start expects a string, got int");
    fails("trim_end([])", "trim_end expects a string, got array");
    fails("queue_size(Stack())", "queue_size expects a Queue");
    fails("stack_is_empty(Queue())", "stack_is_empty expects a Stack");
    fails(
        "queue_is_empty(1)",
        "queue_is_empty expects a Queue, got int",
    );
    fails("stack_size(Set())", "stack_size expects a Stack");
}

#[test]
fn case_and_trim() {
    prints(
        r#"s := "Hello, World"
print(upper(s), to_upper("abc"), lower(s), to_lower("ABC"))
print(capitalize("hello world"), capitalize("hELLO wORLD"), "[" + capitalize("") + "]")
print("[" + trim("  pad  ") + "]")
print("[" + trim_start("  pad  ") + "]")
print("[" + trim_end("  pad  ") + "]")
print("[" + trim("\t\n x \n") + "]")
print(upper("mixed 123 Case!"), upper("straße"))"#,
        "HELLO, WORLD ABC hello, world abc\nHello world Hello world []\n[pad]\n[pad  ]\n[  pad]\n[x]\nMIXED 123 CASE! STRASSE\n",
    );
    fails("upper(1)", "upper expects a string, got int");
    fails("trim(null)", "trim expects a string, got null");
}

#[test]
fn split_and_join() {
    prints(
        r#"print(split("a,b,c", ","))
print(split("one two  three", " "))
print(split("a,,b", ","), split("no-sep", ","), split("", ","))
print(split("abc", ""), split("k=v", "="), split("a--b--c", "--"))
print(join(["x", "y", "z"], "-"), join(["solo"], ", "), "[" + join([], ",") + "]")
print(join([1, 2.5, true, null, [3]], "+"))
print(join(split("2024-01-15", "-"), "/"))"#,
        "[a, b, c]\n[one, two, , three]\n[a, , b] [no-sep] []\n[, a, b, c, ] [k, v] [a, b, c]\nx-y-z solo []\n1+2.5+true+null+[3]\n2024/01/15\n",
    );
    fails(
        r#"split("a", 1)"#,
        "split expects a string separator, got int",
    );
    fails(r#"join("abc", ",")"#, "join expects an array, got string");
}

#[test]
fn replace_and_affixes() {
    prints(
        r#"print(replace("hello world", "o", "0"), replace("aaa", "a", "bb"), replace("abc", "x", "y"))
print(replace("ab", "", "-"))
print(starts_with("hello", "he"), starts_with("hello", "lo"), ends_with("hello", "lo"), ends_with("hello", "he"))
print(starts_with("x", ""), type(starts_with("a", "a")))"#,
        "hell0 w0rld bbbbbb abc\n-a-b-\ntrue false true false\ntrue bool\n",
    );
    fails(
        r#"replace("a", "a", 1)"#,
        "replace expects a string replacement, got int",
    );
    fails(
        r#"starts_with("a", null)"#,
        "starts_with expects a string prefix, got null",
    );
}

#[test]
fn string_search_quirks() {
    prints(
        r#"s := "hello world"
print(contains(s, "world"), contains(s, "xyz"), type(contains(s, "o")))
print(contains(s, "world") + contains(s, "hello"))
print(index_of(s, "o"), index_of(s, "world"), index_of(s, "z"), index_of(s, ""))
if contains(s, "nope") { print("never") } else { print("falsy 0") }"#,
        "1 0 int\n2\n4 6 -1 0\nfalsy 0\n",
    );
    fails(
        r#"contains("abc", 1)"#,
        "contains expects a string to search for, got int",
    );
    fails(
        "contains(5, 1)",
        "contains expects a string or an array, got int",
    );
}

#[test]
fn substring_char_at_and_counts() {
    prints(
        r#"s := "hello world"
print(substring(s, 0, 5), substring(s, 6, 11), substring(s, 3, 4))
print("[" + substring(s, 5, 2) + "]", substring(s, -3, 2), substring(s, 6, 100), "[" + substring(s, 50, 60) + "]")
print(char_at(s, 0), char_at(s, 4), "[" + char_at(s, 50) + "]", "[" + char_at(s, -1) + "]")
print(count_chars("hello"), count_chars(""), count_chars("héllo"), len("héllo"))
print(substring("héllo", 1, 3), char_at("héllo", 1))
print(repeat("ab", 3), "[" + repeat("x", 0) + "]", "[" + repeat("x", -2) + "]")
print(str_reverse("stressed"), str_reverse("añb"), "[" + str_reverse("") + "]")
print(is_empty(""), is_empty("a"))"#,
        "hello world l\n[] he world []\nh o [] []\n5 0 5 6\nél é\nababab [] []\ndesserts bña []\ntrue false\n",
    );
    fails(
        r#"substring("abc", "0", 1)"#,
        "substring expects an int, got string",
    );
    fails(
        r#"char_at("abc", 1.0)"#,
        "char_at expects an int, got float",
    );
}

#[test]
fn huge_results_fail_cleanly() {
    fails(
        r#"repeat("a", 1000000000000)"#,
        "repeat: result is too large",
    );
    fails(
        r#"repeat("ab", 9223372036854775807)"#,
        "repeat: result is too large",
    );
    fails("range(1000000000000)", "range: result is too large");
    fails(
        "range(-9223372036854775807 - 1, 9223372036854775807)",
        "range: result is too large",
    );
}

#[test]
fn huge_concat_and_split_fail_cleanly() {
    // 512 MiB + 1 byte joined with 512 MiB: over the 1 GiB string cap, refused before
    // anything is allocated (repeated doubling used to abort the process).
    fails(
        r#"s := repeat("x", 536870912)
t := concat(s, "!")
print(len(t))
concat(t, s)"#,
        "concat: result is too large",
    );
    // 70 million pieces, each a heap string: over the array cap.
    fails(
        r#"split(repeat("a", 70000000), "")"#,
        "split: result is too large",
    );
    fails(
        r#"split(repeat("a", 70000000), "a")"#,
        "split: result is too large",
    );
    prints(
        r#"print(len(split(repeat("ab", 1000), "")), len(split(repeat("ab", 1000), "b")))"#,
        "2002 1001\n",
    );
}

#[test]
fn len_and_is_empty() {
    prints(
        r#"print(len("abc"), len(""), len([1, 2, 3]), len([]), len({"a": 1}), len({}))
print(is_empty([]), is_empty([0]), is_empty({}), is_empty({"a": 1}))"#,
        "3 0 3 0 1 0\ntrue false true false\n",
    );
    fails("len(5)", "len expects a string, array or dict, got int");
    fails(
        "is_empty(null)",
        "is_empty expects a string, array or dict, got null",
    );
    fails("len()", "len expects 1 argument, got 0");
    fails("len([1], [2])", "len expects 1 argument, got 2");
}

#[test]
fn method_forms() {
    prints(
        r#"s := "hello"
a := [3, 1, 2]
print(s.len(), a.len(), s.upper(), "a,b".split(","), s.contains("ell"))
a.push(4)
print(a, a.sort(), a.join("-"), s.char_at(1), {"k": 1}.keys())"#,
        "5 3 HELLO [a, b] 1\n[3, 1, 2, 4] [1, 2, 3, 4] 3-1-2-4 e [k]\n",
    );
}

// ----- arrays -----

#[test]
fn push_append_pop() {
    prints(
        r#"a := [1, 2, 3]
r := push(a, 4)
print(a, r)
append(a, 5)
print(a)
p := pop(a)
print(p[1], p[0], a)
print(pop([]))
stack := []
stack := push(stack, "x")
stack := push(stack, "y")
res := pop(stack)
print(res[1], res[0], stack)"#,
        "[1, 2, 3, 4] [1, 2, 3, 4]\n[1, 2, 3, 4, 5]\n5 [1, 2, 3, 4] [1, 2, 3, 4]\n[[], 0]\ny [x] [x]\n",
    );
    fails("push(1, 2)", "push expects an array, got int");
    fails("pop({})", "pop expects an array, got dict");
}

#[test]
fn insert_remove_remove_at() {
    prints(
        r#"a := [1, 2, 3, 2]
b := insert(a, 1, 99)
print(a, b)
a := insert(a, 4, "end")
a := insert(a, -1, "before-end")
a := insert(a, 0, "start")
print(a)
c := [1, 99, 2, 3, 2]
r := remove(c, 2)
print(c, r)
remove(c, "absent")
print(c)
names := ["ann", "bob", "cy"]
print(remove(names, "bob"))
print(remove([1, 2.0, 3], 2))
ra := remove_at(c, 0)
print(ra[1], ra[0], c)
print(remove_at(c, -1), c)"#,
        "[1, 2, 3, 2] [1, 99, 2, 3, 2]\n[start, 1, 2, 3, 2, before-end, end]\n[1, 99, 3, 2] [1, 99, 3, 2]\n[1, 99, 3, 2]\n[ann, cy]\n[1, 3]\n1 [99, 3, 2] [99, 3, 2]\n[[99, 3], 2] [99, 3]\n",
    );
    fails(
        "insert([1], 3, 0)",
        "insert: Index out of bounds: index 3, length 1",
    );
    fails("insert([1], -3, 0)", "insert: Index out of bounds");
    fails(
        "remove_at([1, 2], 2)",
        "remove_at: Index out of bounds: index 2, length 2",
    );
    fails("remove_at([], 0)", "Index out of bounds");
    fails(
        r#"remove("abc", "a")"#,
        "remove expects an array or a dict, got string",
    );
}

#[test]
fn concat_clear_slice() {
    prints(
        r#"a := [1]
c := concat(a, [2, 3])
print(c, a, concat([], ["x"]), concat("ab", "cd"))
b := [1, 2, 3]
r := clear(b)
print(b, r, len(b))
s := [10, 20, 30, 40, 50]
print(slice(s, 1, 3), slice(s, 0, 5), slice(s, 2, 2), slice(s, 3, 1), slice(s, -2, 5))
print(slice(s, 3), slice(s, -100, 100), slice(s, 0, -1))
t := slice(s, 0, 2)
push(t, 99)
print(s, t)
print(slice("hello", 1, 3), slice("héllo", 1), slice("abc", -2))"#,
        "[1, 2, 3] [1] [x] abcd\n[1, 2, 3] [] 3\n[20, 30] [10, 20, 30, 40, 50] [] [] [40, 50]\n[40, 50] [10, 20, 30, 40, 50] [10, 20, 30, 40]\n[10, 20, 30, 40, 50] [10, 20, 99]\nel éllo bc\n",
    );
    fails(
        "concat([1], 2)",
        "concat expects two arrays or two strings, got int",
    );
    fails(
        r#"concat("a", [1])"#,
        "concat expects two arrays or two strings, got array",
    );
    fails(
        "concat(null, [1])",
        "concat expects two arrays or two strings, got null",
    );
    fails("clear(3)", "clear expects an array or a dict, got int");
    fails(
        r#"slice({"a": 1}, 0, 1)"#,
        "slice expects an array or a string, got dict",
    );
    fails("slice([1], 0.5, 1)", "slice expects an int, got float");
}

#[test]
fn contains_and_index_of_on_arrays() {
    prints(
        r#"a := [5, 3, 8, 3]
print(contains(a, 8), contains(a, 7), type(contains(a, 8)))
print(index_of(a, 3), index_of(a, 42), index_of(["x", "y"], "y"))
print(contains([1, [2, 3]], [2, 3]), contains([1], 1.0), index_of([null, 1], null))"#,
        "true false bool\n1 -1 1\ntrue true 0\n",
    );
}

#[test]
fn ints_and_floats_order_exactly() {
    // NaN sorts above everything; 2^63 as a float is above every int (no rounding of the
    // int to a float first).
    prints(
        r#"n := to_float("nan")
print(sort([2, n, 1, 1.5, 9223372036854775807, 9223372036854775808.0, -9223372036854775808.0]))
print(max(3, n), min(n, 3), min(2, 2.5), max(2, 2.5))"#,
        "[-9223372036854776000, 1, 1.5, 2, 9223372036854775807, 9223372036854776000, NaN]\nNaN 3 2 2.5\n",
    );
}

#[test]
fn sort_and_reverse() {
    prints(
        r#"print(sort([3, 1, 2]), sort(["pear", "apple", "fig"]), sort([2.5, -1, 10, 0]), sort([]))
a := [3, 1, 2]
b := sort(a)
print(a, b)
c := reverse(a)
print(a, c, reverse([]), reverse("abc"))
print(sort([9007199254740993, 9007199254740992.0, 9007199254740992]))
print(sort(["b", "B", "a", "A"]))"#,
        "[1, 2, 3] [apple, fig, pear] [-1, 0, 2.5, 10] []\n[3, 1, 2] [1, 2, 3]\n[3, 1, 2] [2, 1, 3] [] cba\n[9007199254740992, 9007199254740992, 9007199254740993]\n[A, B, a, b]\n",
    );
    fails(
        r#"sort([1, "a"])"#,
        "sort expects an array of numbers or of strings",
    );
    fails(
        "sort([[1], [0]])",
        "sort expects an array of numbers or of strings, got array",
    );
    fails("sort(5)", "sort expects an array, got int");
    fails(
        "reverse(5)",
        "reverse expects an array or a string, got int",
    );
}

#[test]
fn sum_min_max() {
    prints(
        r#"print(sum([1, 2, 3]), sum([1.5, 2, 0.5]), sum([]), type(sum([1, 2])), type(sum([1, 2.0])))
print(min([4, 2, 8]), max([4, 2, 8]), min(3, 7), max(3, 7), min(2.5, 1), max(-1, -1.5))
print(min(["pear", "apple"]), max("a", "b", "c"), min(5), max([1, 2.5]), type(min(1, 2)))"#,
        "6 4 0 int float\n2 8 3 7 1 -1\napple c 5 2.5 float\n",
    );
    fails("sum([9223372036854775807, 1])", "Integer overflow");
    fails(
        r#"sum([1, "a"])"#,
        "sum expects an array of numbers, got an element of type string",
    );
    fails("min([])", "min of an empty array");
    fails(r#"max(1, "a")"#, "max cannot compare string with int");
    fails("min(null, 1)", "min expects numbers or strings, got null");
}

#[test]
fn higher_order_prelude_functions() {
    prints(
        r#"nums := [1, 2, 3, 4, 5, 6]
print(map(nums, func(x) { return x * x }))
print(filter(nums, func(x) { return x % 2 == 0 }))
print(reduce(nums, 0, func(acc, x) { return acc + x }), reduce(nums, 1, func(acc, x) { return acc * x }))
print(reduce(["a", "b", "c"], "", func(acc, s) { return acc + s }), reduce([], 42, func(a, x) { return a + x }))
print(map(["a", "b"], upper), map([], func(x) { return x }), filter([], func(x) { return true }))
print(find(nums, func(v) { return v > 4 }), find(nums, func(v) { return v > 100 }))
print(any(nums, func(v) { return v > 5 }), any(nums, func(v) { return v > 6 }), any([], func(v) { return true }))
print(all(nums, func(v) { return v > 0 }), all(nums, func(v) { return v > 1 }), all([], func(v) { return false }))
print(all([1, 2], func(v) { return v }), filter([0, 1, "", "a", null], func(v) { return v }))
print(nums)
total := 0
map(nums, func(x) { total := total + x })
print(total)"#,
        "[1, 4, 9, 16, 25, 36]\n[2, 4, 6]\n21 720\nabc 42\n[A, B] [] []\n5 0\ntrue false false\ntrue false true\ntrue [1, a]\n[1, 2, 3, 4, 5, 6]\n21\n",
    );
    fails(
        "map(5, func(x) { return x })",
        "map expects an array, got int",
    );
    fails(
        r#"filter("abc", func(x) { return x })"#,
        "filter expects an array, got string",
    );
    fails("reduce([1], 0, 3)", "reduce expects a function, got int");
    fails("find([1], null)", "find expects a function, got null");
    fails("any({}, print)", "any expects an array, got dict");
    fails("all([1], 1)", "all expects a function, got int");
    fails("map([1, 0], func(x) { return 1 / x })", "Division by zero");
    fails("map([1])", "map expects 2 arguments, got 1");
}

#[test]
fn enumerate_and_zip() {
    prints(
        r#"print(enumerate(["a", "b", "c"]), enumerate([]))
print(zip([1, 2, 3], ["x", "y", "z"]), zip([1, 2, 3], ["x"]), zip([], [1]))
for pair in enumerate(["p", "q"]) { print(pair[0], pair[1]) }"#,
        "[[0, a], [1, b], [2, c]] []\n[[1, x], [2, y], [3, z]] [[1, x]] []\n0 p\n1 q\n",
    );
    fails("zip([1], 2)", "zip expects an array, got int");
}

#[test]
fn range_arrays() {
    prints(
        r#"print(range(5), range(2, 6), range(0, 10, 2), range(1, 10, 3))
print(range(10, 0, -3), range(5, 0, -1), range(0), range(-2), range(10, 5), range(3, 3), range(0, 5, -1))
print(len(range(100)), sum(range(101)), type(range(3)))
r := range(3)
print(r)
print(range(9223372036854775805, 9223372036854775807))"#,
        "[0, 1, 2, 3, 4] [2, 3, 4, 5] [0, 2, 4, 6, 8] [1, 4, 7]\n[10, 7, 4, 1] [5, 4, 3, 2, 1] [] [] [] [] []\n100 5050 array\n[0, 1, 2]\n[9223372036854775805, 9223372036854775806]\n",
    );
    fails("range(0, 5, 0)", "range: step cannot be zero");
    fails("range(1.5)", "range expects int arguments, got float");
    fails("range()", "range expects 1 to 3 arguments, got 0");
}

// ----- dicts -----

#[test]
fn dict_queries() {
    prints(
        r#"d := {"b": 2, "a": 1, "c": 3}
print(keys(d), values(d), items(d), len(d))
print(has_key(d, "a"), has_key(d, "z"), type(has_key(d, "a")))
print(get(d, "a", 0), get(d, "z", 0), get(d, "z", "none"), get(d, "a"), get(d, "zz"))
print(keys({}), values({}), items({}))
n := {}
n[1] := "one"
print(has_key(n, 1), get(n, 1), get(n, "1"), keys(n))
if has_key(d, "a") { print("has a") }"#,
        "[a, b, c] [1, 2, 3] [[a, 1], [b, 2], [c, 3]] 3\n1 0 int\n1 0 none 1 null\n[] [] []\n1 one one [1]\nhas a\n",
    );
    fails("keys([1])", "keys expects a dict, got array");
    fails(
        "has_key({}, [1])",
        "has_key expects a string key, got array",
    );
    fails("get([1], 0)", "get expects a dict, got array");
}

#[test]
fn dict_updates() {
    prints(
        r#"d1 := {"x": 1, "y": 2}
m := merge(d1, {"y": 20, "z": 30})
print(m, d1)
d := {"a": 1, "b": 2, "c": 3}
r := remove(d, "b")
print(r[1], r[0], d, len(r[0]))
print(remove({"a": 1}, "zz"))
c := {"k": 1}
cc := clear(c)
print(c, cc, len(c), is_empty(c))"#,
        "{\"x\": 1, \"y\": 20, \"z\": 30} {\"x\": 1, \"y\": 2}\n2 {\"a\": 1, \"c\": 3} {\"a\": 1, \"c\": 3} 2\n[{\"a\": 1}, 0]\n{\"k\": 1} {} 1 false\n",
    );
    fails("merge({}, [])", "merge expects a dict, got array");
}

// ----- math -----

#[test]
fn abs_and_rounding() {
    prints(
        r#"print(abs(-5), abs(3), abs(-2.5), type(abs(-3)), type(abs(-3.0)))
print(floor(2.7), floor(-2.5), ceil(2.1), ceil(-2.5), floor(4), type(floor(2.5)))
print(round(2.5), round(-2.5), round(2.4), round(3.7), round(-0.4), type(round(1.5)))
print(floor(PI * 100) / 100.0)"#,
        "5 3 2.5 float float\n2 -3 3 -2 4 float\n3 -3 2 4 -0 float\n3.14\n",
    );
    // Floats, as in Ruff: no overflow for the smallest int.
    prints(
        "print(abs(-9223372036854775807 - 1))",
        "9223372036854776000\n",
    );
    fails(r#"abs("1")"#, "abs expects a number, got string");
    prints("print(floor(1e300) == 1e300)", "true\n");
    prints("x := 1e308 * 10\nprint(ceil(x - x))", "NaN\n");
}

#[test]
fn powers_roots_and_transcendentals() {
    prints(
        r#"print(sqrt(16), sqrt(2), type(sqrt(16)), sqrt(16) + 0.5)
print(pow(2, 10), type(pow(2, 10)), pow(2.5, 2), pow(2, -1), pow(4, 0.5), pow(0, 0), pow(-1, 9999999999), pow(1, 9999999999))
print(exp(0), log(1), sin(0), cos(0), log(E), type(exp(1)))
print(PI, E, type(PI))"#,
        "4 1.4142135623730951 float 4.5\n1024 float 6.25 0.5 2 1 -1 1\n1 0 0 1 1 float\n3.141592653589793 2.718281828459045 float\n",
    );
    prints(
        "print(pow(2, 63), pow(3, 9999999999))",
        "9223372036854776000 inf\n",
    );
    fails(r#"pow("2", 1)"#, "pow expects a number, got string");
    fails("sqrt(-1)", "sqrt: domain error");
    fails("log(0)", "log: domain error");
    fails("sin(null)", "sin expects a number, got null");
    fails("cos([1])", "cos expects a number, got array");
    fails("exp(true)", "exp expects a number, got bool");
}

#[test]
fn builtins_are_first_class_values() {
    prints(
        r#"f := upper
print(f("x"), type(len), len)
print(map([-1, 2], abs), reduce([[1], [2]], [], concat))"#,
        "X function <native function: len>\n[1, 2] [1, 2]\n",
    );
}

// ----- robustness -----

/// Call every native builtin directly with every combination (up to three arguments) of
/// awkward values. Errors are fine; a panic fails the test. Direct calls skip the capability
/// check, so natives that read stdin (it may be a terminal), write files or touch the process
/// are left out: they would block, or write stray files into the working directory.
#[test]
fn no_builtin_panics_on_odd_arguments() {
    use tandem::Caps;
    use tandem_vm::NativeImpl;
    let (mut e, _out) = engine();
    let vm = e.vm();
    let mut values = vec![
        tandem::Value::Null,
        tandem::Value::Bool(true),
        tandem::Value::Int(0),
        tandem::Value::Int(-1),
        tandem::Value::Int(3),
        tandem::Value::Int(i64::MAX),
        tandem::Value::Int(i64::MIN),
        tandem::Value::Float(-2.5),
        tandem::Value::Float(f64::NAN),
        tandem::Value::Float(f64::INFINITY),
        tandem::Value::Float(-0.0),
    ];
    for s in ["", "héllo", "{}", "a,b"] {
        values.push(vm.new_str(s));
    }
    let n1 = vm.new_str("1");
    let inner = vm.new_array(vec![tandem::Value::Int(1)]);
    let arr = vm.new_array(vec![tandem::Value::Int(2), n1, inner]);
    values.push(arr);
    values.push(vm.new_array(Vec::new()));
    let nums = vm.new_array(vec![
        tandem::Value::Float(f64::NAN),
        tandem::Value::Int(1),
        tandem::Value::Float(0.5),
    ]);
    values.push(nums);
    values.push(vm.new_dict(Default::default()));
    let d = vm.new_dict(Default::default());
    if let tandem::Value::Dict(dd) = d {
        dd.insert("k", tandem::Value::Int(1));
    }
    values.push(d);
    let print_id = vm.native_index["print"];
    values.push(tandem::Value::Native(print_id));

    let natives: Vec<_> = vm.natives.clone();
    let mut calls = 0usize;
    let mut skipped = 0usize;
    for def in &natives {
        let NativeImpl::Fn(f) = def.imp else { continue };
        let unsafe_caps = [Caps::STDIN, Caps::FS_WRITE, Caps::PROCESS];
        if unsafe_caps.iter().any(|&c| def.caps.contains(c)) {
            skipped += 1;
            continue;
        }
        for n in 0..=3usize {
            if !def.arity.accepts(n) {
                continue;
            }
            let combos = values.len().pow(n as u32);
            for mut k in 0..combos {
                let mut args = Vec::with_capacity(n);
                for _ in 0..n {
                    args.push(values[k % values.len()]);
                    k /= values.len();
                }
                // Mutating builtins may change the shared containers; that is fine.
                let _ = f(vm, &args);
                calls += 1;
            }
        }
    }
    assert!(calls > 10_000, "only {calls} calls");
    assert!(skipped > 0, "no native needs stdin, fs-write or process");
}
