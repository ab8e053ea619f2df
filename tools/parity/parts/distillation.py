"""Relational knowledge distillation, distance-wise (Park et al. 2019), as
src/metric/losses/relational-distillation-loss.ts computes it: smooth L1 between the
mean-normalised pairwise distances of the student and of a constant teacher."""
import torch
import torch.nn.functional as F


def pair_distances(x):
    i, j = torch.triu_indices(len(x), len(x), offset=1)
    return ((x[i] - x[j]) ** 2).sum(1).sqrt()


def rkd_distance(student, teacher, beta):
    ds = pair_distances(student)
    dt = pair_distances(teacher)
    return F.smooth_l1_loss(ds / ds.mean(), dt / dt.mean(), beta=beta)


def case(n, d, e, beta, seed):
    torch.manual_seed(seed)
    s32 = torch.randn(n, d, dtype=torch.float32)
    t32 = torch.randn(n, e, dtype=torch.float32) * 3
    # Reference in float64 from the float32 inputs the TypeScript side reads.
    s = s32.to(torch.float64).requires_grad_()
    loss = rkd_distance(s, t32.to(torch.float64), beta)
    loss.backward()
    return {"beta": beta, "student": s32, "teacher": t32, "loss": loss, "grad_student": s.grad}


def make(save):
    save("rkd_distance", case(7, 5, 3, 1.0, 0))
    save("rkd_distance_beta", case(9, 4, 6, 0.25, 1))
