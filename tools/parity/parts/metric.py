"""Parity fixtures for src/metric: nn.TripletMarginLoss (the paper's margin 0.2, with an
anchor/positive pair that is identical so eps decides the gradient; and swap with margin 0.5),
and InfoNCE over a labelled batch, written here from the paper's Section 3 equation in its
standard (positive in the denominator) and literal (negatives only) forms, with cosine
similarity and with negated Euclidean distance.

Run through make_fixtures.py: `/usr/bin/python3 tools/parity/make_fixtures.py metric`.
"""
import torch
import torch.nn.functional as F


def leaf(*shape):
    return torch.randn(*shape, dtype=torch.float32).requires_grad_()


def triplet_case(margin, swap):
    a, p, n = leaf(6, 5), leaf(6, 5), leaf(6, 5)
    with torch.no_grad():
        # d(a,p) = ‖eps‖ with the hinge active (close negative): the gradient through d(a,p)
        # is (a − p + eps)/‖a − p + eps‖ = 1/√D per coordinate, defined only thanks to eps.
        p[2] = a[2]
        n[2] = a[2] + 0.05
        n[4] = a[4] - 0.03  # another active row, the usual case
    loss = torch.nn.TripletMarginLoss(margin=margin, p=2, eps=1e-6, swap=swap)(a, p, n)
    loss.backward()
    return {
        "margin": margin,
        "swap": swap,
        "anchor": a,
        "positive": p,
        "negative": n,
        "loss": loss,
        "grad_anchor": a.grad,
        "grad_positive": p.grad,
        "grad_negative": n.grad,
    }


def cosine_logits(h, tau):
    hn = F.normalize(h, dim=1)
    return hn @ hn.T / tau


def euclidean_logits(h, tau):
    # ‖h_i − h_j + eps‖, as torch's pairwise_distance, negated into a similarity.
    return -F.pairwise_distance(h[:, None, :], h[None, :, :], eps=1e-6) / tau


def info_nce(h, labels, tau, form, logits):
    """−log e^{z_p} / (e^{z_p} + Σ_n e^{z_n}) ("standard") or −log e^{z_p} / Σ_n e^{z_n}
    ("paper"), averaged over ordered same-label pairs whose anchor has a negative."""
    z = logits(h, tau)
    terms = []
    for a in range(len(labels)):
        neg = torch.tensor([lab != labels[a] for lab in labels])
        if not neg.any():
            continue
        for p in range(len(labels)):
            if p == a or labels[p] != labels[a]:
                continue
            zn = z[a][neg]
            pool = torch.cat([z[a, p : p + 1], zn]) if form == "standard" else zn
            terms.append(torch.logsumexp(pool, 0) - z[a, p])
    return torch.stack(terms).mean()


def info_nce_case(form, similarity, tau):
    labels = [0, 0, 1, 1, 1, 2, 2, 3]
    h32 = torch.randn(len(labels), 4, dtype=torch.float32)
    # Reference in float64 from the float32 inputs the TypeScript side reads.
    h = h32.to(torch.float64).requires_grad_()
    logits = cosine_logits if similarity == "cosine" else euclidean_logits
    loss = info_nce(h, labels, tau, form, logits)
    loss.backward()
    return {
        "form": form,
        "similarity": similarity,
        "temperature": tau,
        "labels": labels,
        "embeddings": h32,
        "loss": loss,
        "grad_embeddings": h.grad,
    }


def make(save):
    save("triplet_margin", triplet_case(0.2, False))
    save("triplet_margin_swap", triplet_case(0.5, True))
    save("info_nce_cosine", info_nce_case("standard", "cosine", 0.1))
    save("info_nce_cosine_paper", info_nce_case("paper", "cosine", 0.1))
    save("info_nce_euclidean", info_nce_case("standard", "euclidean", 0.5))
