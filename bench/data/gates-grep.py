# Broad grep for public→private import candidates: every line of a public code file that names an
# `ee` path segment inside a string, or a dotted `ee.` module (Python).
import subprocess, sys, re, json
repo, out = sys.argv[1], sys.argv[2]
files = subprocess.run(['git','-C',repo,'ls-tree','-r','--name-only','HEAD'],capture_output=True,text=True).stdout.split('\n')
priv = re.compile(r'(^|/)ee/')
code = re.compile(r'\.(py|pyi|[cm]?[jt]sx?)$')
js_pat = re.compile(r'''['"`][^'"`\n]*(?:^|[/@'"`])ee(?:/|['"`])''')
py_pat = re.compile(r'(?:\bfrom\b|\bimport\b|import_module|__import__).*\bee\b')
cands = []
pub = [f for f in files if f and code.search(f) and not priv.search(f)]
# read blobs in one batch
inp = '\n'.join(f'HEAD:{f}' for f in pub)+'\n'
p = subprocess.run(['git','-C',repo,'cat-file','--batch'],input=inp.encode(),capture_output=True).stdout
pos=0
for f in pub:
    nl=p.index(b'\n',pos); hdr=p[pos:nl].decode()
    if hdr.endswith('missing'): pos=nl+1; continue
    size=int(hdr.split()[-1]); body=p[nl+1:nl+1+size]; pos=nl+1+size+1
    text=body.decode('utf8','replace')
    pat = py_pat if f.endswith(('.py','.pyi')) else js_pat
    for i,l in enumerate(text.split('\n'),1):
        if pat.search(l): cands.append({'file':f,'line':i,'text':l.strip()[:200]})
json.dump(cands, open(out,'w'), indent=1)
print(len(cands), 'candidate lines')
