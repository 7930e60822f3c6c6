# Emulates ldmatrix / mma.m16n8k16 fragment semantics (PTX ISA) on the host and checks that the index math of
# linear_mma and prefill_mma (copied here verbatim as lambdas) computes X·W^T, Q·K^T and P·V, and that the
# shared-memory swizzles are bank-conflict free for ldmatrix. No GPU needed: `python3 kernels/check_fragments.py`.
# Keep the expressions in sync with linear.cu / prefill.cu when they change.
import numpy as np
def swz(rc, row, chunk):
    x = ((row >> 1) & 3) if rc == 4 else (row & 7)
    return (row * rc + (chunk ^ x)) * 8
def ldmatrix(smem, addr_of_lane, trans=False):
    # returns regs[lane][i] = (e0, e1)
    regs = [[None]*4 for _ in range(32)]
    for i in range(4):
        rows = [smem[addr_of_lane(8*i + r): addr_of_lane(8*i + r) + 8] for r in range(8)]
        M = np.array(rows)
        for l in range(32):
            if not trans: regs[l][i] = (M[l//4, 2*(l%4)], M[l//4, 2*(l%4)+1])
            else: regs[l][i] = (M[2*(l%4), l//4], M[2*(l%4)+1, l//4])
    return regs
def mma(C, A, B0, B1):
    # C: [32][4], A: [32][4] pairs, B0/B1: [32] pairs -> per-warp D = A(16x16) B(16x8)
    Am = np.zeros((16,16)); Bm = np.zeros((16,8))
    for l in range(32):
        g, q = l//4, l%4
        for k in range(2):
            Am[g, 2*q+k] = A[l][0][k]; Am[g+8, 2*q+k] = A[l][1][k]
            Am[g, 2*q+8+k] = A[l][2][k]; Am[g+8, 2*q+8+k] = A[l][3][k]
            Bm[2*q+k, g] = B0[l][k]; Bm[2*q+8+k, g] = B1[l][k]
    D = Am @ Bm
    for l in range(32):
        g, q = l//4, l%4
        C[l][0] += D[g, 2*q]; C[l][1] += D[g, 2*q+1]; C[l][2] += D[g+8, 2*q]; C[l][3] += D[g+8, 2*q+1]

rng = np.random.default_rng(1)
# ---- linear_mma: one k tile (BK=32), CHUNKS=4, warp (wm, wn)
BM=BN=128; BK=32; CH=4
X = rng.standard_normal((BM, BK)); W = rng.standard_normal((BN, BK))
sA = np.zeros(BM*BK); sB = np.zeros(BN*BK)
for row in range(128):
    for c in range(CH):
        sA[swz(CH,row,c):swz(CH,row,c)+8] = X[row, c*8:c*8+8]
        sB[swz(CH,row,c):swz(CH,row,c)+8] = W[row, c*8:c*8+8]
for wm in range(2):
  for wn in range(4):
    acc = [[[0.0]*4 for _ in range(32)] for _ in range(16)]
    for kk in range(BK//16):
        af = [ldmatrix(sA, lambda lane, mi=mi: swz(CH, wm*64 + mi*16 + (lane & 15), kk*2 + (lane >> 4))) for mi in range(4)]
        bf = [ldmatrix(sB, lambda lane, nj=nj: swz(CH, wn*32 + nj*16 + ((lane>>3) >> 1)*8 + (lane & 7), kk*2 + ((lane>>3) & 1))) for nj in range(2)]
        for mi in range(4):
            for ni in range(4):
                mma(acc[mi*4+ni], af[mi], [bf[ni//2][l][(ni%2)*2] for l in range(32)], [bf[ni//2][l][(ni%2)*2+1] for l in range(32)])
    ref = X @ W.T
    for mi in range(4):
        for ni in range(4):
            for l in range(32):
                g, q = l//4, l%4
                r = wm*64 + mi*16 + g; c = wn*32 + ni*8 + q*2
                got = acc[mi*4+ni][l]
                exp = [ref[r,c], ref[r,c+1], ref[r+8,c], ref[r+8,c+1]]
                assert np.allclose(got, exp), (wm, wn, mi, ni, l)
print("linear_mma fragments OK")

# ---- prefill_mma: S = Q K^T then O = P V for one warp, D in {64,128}
for D in (64, 128):
    CH = D//8
    Q = rng.standard_normal((64, D)); K = rng.standard_normal((64, D)); V = rng.standard_normal((64, D))
    def fill(M):
        s = np.zeros(64*D)
        for row in range(64):
            for c in range(CH): s[swz(CH,row,c):swz(CH,row,c)+8] = M[row, c*8:c*8+8]
        return s
    sQ, sK, sV = fill(Q), fill(K), fill(V)
    for warp in range(4):
        s = [[[0.0]*4 for _ in range(32)] for _ in range(8)]
        for kk in range(D//16):
            qf = ldmatrix(sQ, lambda lane: swz(CH, warp*16 + (lane & 15), kk*2 + (lane >> 4)))
            for nj in range(4):
                kf = ldmatrix(sK, lambda lane: swz(CH, nj*16 + ((lane>>3) >> 1)*8 + (lane & 7), kk*2 + ((lane>>3) & 1)))
                mma(s[2*nj], qf, [kf[l][0] for l in range(32)], [kf[l][1] for l in range(32)])
                mma(s[2*nj+1], qf, [kf[l][2] for l in range(32)], [kf[l][3] for l in range(32)])
        Sref = Q[warp*16:warp*16+16] @ K.T
        for nt in range(8):
            for l in range(32):
                g, q = l//4, l%4
                assert np.allclose(s[nt][l], [Sref[g, nt*8+2*q], Sref[g, nt*8+2*q+1], Sref[g+8, nt*8+2*q], Sref[g+8, nt*8+2*q+1]])
        # P = S (no softmax needed to test layout); O = P V
        o = [[[0.0]*4 for _ in range(32)] for _ in range(D//8)]
        for kk in range(4):
            pa = [((s[2*kk][l][0], s[2*kk][l][1]), (s[2*kk][l][2], s[2*kk][l][3]), (s[2*kk+1][l][0], s[2*kk+1][l][1]), (s[2*kk+1][l][2], s[2*kk+1][l][3])) for l in range(32)]
            for dp in range(D//16):
                vf = ldmatrix(sV, lambda lane: swz(CH, kk*16 + ((lane>>3) & 1)*8 + (lane & 7), dp*2 + ((lane>>3) >> 1)), trans=True)
                mma(o[2*dp], pa, [vf[l][0] for l in range(32)], [vf[l][1] for l in range(32)])
                mma(o[2*dp+1], pa, [vf[l][2] for l in range(32)], [vf[l][3] for l in range(32)])
        Oref = Sref @ V
        for dt in range(D//8):
            for l in range(32):
                g, q = l//4, l%4
                assert np.allclose(o[dt][l], [Oref[g, dt*8+2*q], Oref[g, dt*8+2*q+1], Oref[g+8, dt*8+2*q], Oref[g+8, dt*8+2*q+1]]), (D, warp, dt, l)
    print("prefill_mma fragments OK, D =", D)

# ---- bank conflicts of the swizzles: every ldmatrix phase (8 rows, one chunk each) hits 8 distinct 16B bank groups
for rc in (4, 8, 16):
    for r0 in range(0, 64, 8):
        for c in range(rc):
            units = {(swz(rc, r0 + r, c) * 2 // 16) % 8 for r in range(8)}
            assert len(units) == 8, (rc, r0, c)
print("swizzles conflict-free")
