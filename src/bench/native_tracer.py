"""Block tracing with native python3 (sys.settrace and opcode events), equivalent to the
sandbox tracer: the reference the trace bench measures against. Reads a job from stdin."""
import dis, json, sys, time
ENDS = {"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE"}
JUMPS = set(dis.hasjrel) | set(dis.hasjabs)
def leaders(code):
    ins = list(dis.get_instructions(code))
    out = {ins[0].offset}
    for i, x in enumerate(ins):
        if x.is_jump_target:
            out.add(x.offset)
        if (x.opcode in JUMPS or x.opname in ENDS) and i + 1 < len(ins):
            out.add(ins[i + 1].offset)
    for e in dis.Bytecode(code).exception_entries:
        out.add(e.target)
    return out
job = json.load(sys.stdin)
inputs = job["inputs"]
t0 = time.perf_counter()
calls = 0
for src in job["snippets"]:
    ns = {}
    exec(compile(src, "<snippet>", "exec"), ns)
    fn = ns["f"]
    lead = {}
    ids = {}
    runs = []
    for args in inputs:
        blocks = []
        values = []
        def local(frame, event, arg):
            if event == "opcode":
                off = frame.f_lasti
                code = frame.f_code
                if off in lead[code]:
                    k = (code, off)
                    b = ids.get(k)
                    if b is None:
                        b = ids[k] = len(ids)
                    blocks.append(b)
                    values.append("")
            elif event == "return":
                if values:
                    values[-1] = repr(arg)
            elif event == "exception":
                if values:
                    values[-1] = "raise:" + arg[0].__name__
            return local
        def call(frame, event, arg):
            code = frame.f_code
            if code not in lead:
                lead[code] = leaders(code)
            frame.f_trace_opcodes = True
            return local
        sys.settrace(call)
        try:
            out = repr(fn(*args))
        except Exception as e:
            out = "raise:" + type(e).__name__
        sys.settrace(None)
        runs.append([blocks, values, out])
        calls += 1
    json.dumps(runs)
print(json.dumps({"calls": calls, "seconds": time.perf_counter() - t0}))
