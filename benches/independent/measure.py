#!/usr/bin/env python3
"""Measures of a detect output (OUT/accounts.csv, clusters.csv, summary.json) against the
independent generator's truth and traps: python3 measure.py OUT TRUTH [TRAPS]"""
import csv, sys, json, collections, math
out, truthf = sys.argv[1], sys.argv[2]
trapsf = sys.argv[3] if len(sys.argv) > 3 else None
truth = {r['account_id']: (r['network'], r['role']) for r in csv.DictReader(open(truthf))}
acc = {r['account_id']: r for r in csv.DictReader(open(out + '/accounts.csv'))}
cl = {r['cluster']: r for r in csv.DictReader(open(out + '/clusters.csv'))}
summ = json.load(open(out + '/summary.json'))
print('input kind:', json.dumps(summ.get('input'))[:400])
flag = {a for a, r in acc.items() if r['flagged'] == 'true'}
planted = {a for a, (n, _) in truth.items() if n != 'organic'}
tp = len(flag & planted)
print('flagged %d  planted %d  tp %d  precision %.3f recall %.3f' % (
    len(flag), len(planted), tp, tp / max(1, len(flag)), tp / max(1, len(planted))))
ops = collections.defaultdict(list)
for a, (n, r) in truth.items():
    if n != 'organic':
        ops[n].append(a)
for n, members in sorted(ops.items()):
    f = [a for a in members if a in flag]
    cls = collections.Counter(acc[a]['cluster'] for a in members if a in acc and acc[a]['cluster'])
    fcls = collections.Counter(acc[a]['cluster'] for a in f)
    roles = [(truth[a][1], acc[a]['role']) for a in members if a in acc and acc[a]['cluster']]
    ra = sum(1 for t, p in roles if t == p) / max(1, len(roles))
    print('  op %-14s n=%4d flagged %.3f  clustered in %s  flagged clusters %s  role acc(clustered) %.2f  pred roles %s' % (
        n, len(members), len(f) / len(members), dict(cls.most_common(5)), dict(fcls.most_common(5)), ra,
        dict(collections.Counter(f'{t}->{p}' for t, p in roles))))
# flagged cluster composition
for c, r in cl.items():
    if r['flagged'] != 'true':
        continue
    mem = [a for a, x in acc.items() if x['cluster'] == c]
    comp = collections.Counter(truth.get(a, ('?',))[0] for a in mem)
    print('  flagged cluster %s size %s score %s composition %s' % (c, r['size'], r['score'], dict(comp.most_common(4))))
if trapsf:
    traps = collections.defaultdict(set)
    for r in csv.DictReader(open(trapsf)):
        traps[r['trap']].add(r['account_id'])
    for t, m in traps.items():
        fl = m & flag
        fcls = collections.Counter(acc[a]['cluster'] for a in fl)
        print('  trap %-14s n=%5d flagged %d (%.3f) in clusters %s' % (t, len(m), len(fl), len(fl) / len(m), dict(fcls.most_common(5))))
# ARI over all accounts in truth (unclustered = own singleton)
def ari(lab_a, lab_b):
    n = len(lab_a)
    if n < 2: return float("nan")
    cont = collections.Counter(zip(lab_a, lab_b))
    ca = collections.Counter(lab_a); cb = collections.Counter(lab_b)
    c2 = lambda x: x * (x - 1) / 2
    s = sum(c2(v) for v in cont.values()); sa = sum(c2(v) for v in ca.values()); sb = sum(c2(v) for v in cb.values())
    e = sa * sb / c2(n)
    return (s - e) / (0.5 * (sa + sb) - e) if (0.5 * (sa + sb) - e) else 1.0
ids = [a for a in truth if truth[a][0] != 'organic']
la = [truth[a][0] for a in ids]
lb = [acc[a]['cluster'] if a in acc and acc[a]['cluster'] else 'none-' + a for a in ids]
print('ARI (planted accounts; unclustered = singletons): %.3f' % ari(la, lb))
lf = [acc[a]['cluster'] if a in flag else 'none-' + a for a in ids]
print('ARI (planted accounts; only flagged clusters count): %.3f' % ari(la, lf))
roles = [(truth[a][1], acc[a]['role']) for a in ids if a in acc and acc[a]['cluster']]
print('role accuracy over clustered planted: %.3f (n=%d)' % (sum(t == p for t, p in roles) / max(1, len(roles)), len(roles)))
left = collections.Counter(acc[a]['left_out'] for a in ids if a in acc and not acc[a]['cluster'])
if left: print('left out reasons:', dict(left))
