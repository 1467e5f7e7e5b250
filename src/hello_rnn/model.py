"""The network: a vanilla tanh RNN cell and a linear read-out.

.. math::

    h_t = \\tanh(W_{xh} x_t + W_{hh} h_{t-1} + b_h), \\qquad
    z_t = W_{hy} h_t + b_y

``z_t`` are the logits: one score per character for what comes after ``x_t``
(the target ``y_t`` is the index of the character that does come next).
The same read-out also sits on torch's gated cells (GRU, LSTM), for the
chapter that compares them. The model knows nothing of how it is trained.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

from ._checks import finite_float, positive_int
from .data import Vocabulary
from .errors import InvalidTypeError, InvalidValueError

__all__ = ["RNNCell", "HelloRNN", "CELLS", "Hidden", "detach_hidden"]

CellName = Literal["scratch", "torch", "gru", "lstm"]
CELLS: tuple[str, ...] = ("scratch", "torch", "gru", "lstm")

# The memory carried between calls: a tensor, or for an LSTM the pair (h, c).
Hidden = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


def detach_hidden(h: Hidden) -> Hidden:
    """Keep the hidden state's values but cut its history.

    No gradient then flows back past this point: truncated BPTT.
    """
    return tuple(part.detach() for part in h) if isinstance(h, tuple) else h.detach()


class RNNCell(nn.Module):
    """The RNN recurrence written out, to be read.

    ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)``

    Args:
        input_size: ``V``, the length of each input vector.
        hidden_size: ``H``, the number of hidden units.

    Inputs: ``x, h0``
        - ``x``: ``[B, T, V]``, a batch of ``B`` sequences of ``T`` inputs.
        - ``h0``: ``[B, H]``, the hidden state before the first input.

    Outputs: ``hs, h_T``
        - ``hs``: ``[B, T, H]``, the hidden state after every input.
        - ``h_T``: ``[B, H]``, the last of them, to carry on from.

    Weights (initialised like :class:`torch.nn.RNN`, uniform in ``±1/sqrt(H)``):
        ``W_xh`` ``[H, V]``, ``W_hh`` ``[H, H]``, ``b_h`` ``[H]``.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = positive_int("input_size", input_size)
        self.hidden_size = positive_int("hidden_size", hidden_size)
        self.W_xh = nn.Parameter(torch.empty(hidden_size, input_size))
        self.W_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.b_h = nn.Parameter(torch.empty(hidden_size))
        bound = 1 / math.sqrt(hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def forward(
        self, x: torch.Tensor, h0: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the recurrence over the ``T`` inputs of every sequence in the batch.

        Args:
            x: ``[B, T, V]``, a batch of ``B`` sequences of ``T`` inputs.
            h0: ``[B, H]``, the hidden state before the first input.

        Returns:
            The pair ``(hs, h_T)``. ``hs`` ``[B, T, H]`` holds the hidden state
            after every input, ``h_T`` ``[B, H]`` the last of them, to carry on from.
        """
        # The input's share, W_xh x_t + b_h, does not depend on the past: compute
        # it for every time step in one matrix product, outside the loop.
        input_part = x @ self.W_xh.T + self.b_h  # [B, T, H]
        h = h0
        hs = []
        for x_part in input_part.unbind(dim=1):  # unbind, not x[:, t]: cheaper backward
            # addmm(a, b, c) is a + b @ c in one call: faster than the two apart.
            h = torch.tanh(torch.addmm(x_part, h, self.W_hh.T))
            hs.append(h)
        return torch.stack(hs, dim=1), h


class HelloRNN(nn.Module):
    """A character-level RNN: one-hot characters in, next-character logits out.

    Args:
        num_chars: ``V``, the vocabulary size.
        num_hidden: ``H``, the number of hidden units.
        cell: ``"scratch"`` for :class:`RNNCell` (the equations, written out),
            ``"torch"`` for :class:`torch.nn.RNN` (the same maths, fused; the
            fast path on a GPU), or the gated ``"gru"`` (:class:`torch.nn.GRU`)
            and ``"lstm"`` (:class:`torch.nn.LSTM`).
        dropout: while training, zero this share of the hidden values on their
            way to the read-out (and scale the rest up to keep the sum), so the
            read-out cannot lean on any one unit: a guard against learning a
            long text by heart. 0 (the default) turns it off; ``eval()`` too.

    Inputs: ``x, h0=None``
        - ``x``: ``[T, V]`` (one sequence) or ``[B, T, V]`` (a batch).
        - ``h0``: ``[H]`` or ``[B, H]``; zeros when omitted. For ``"lstm"``
          a pair ``(h0, c0)`` of that shape.

    Outputs: ``logits, h_T``
        - ``logits``: ``[T, V]`` or ``[B, T, V]``, the logits ``z_t``: a score
          per character for the next one.
        - ``h_T``: ``[H]`` or ``[B, H]``, the last hidden state (for ``"lstm"``
          the pair ``(h_T, c_T)``).
    """

    def __init__(
        self,
        num_chars: int,
        num_hidden: int,
        cell: CellName = "torch",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.num_chars = positive_int("num_chars", num_chars)
        self.num_hidden = positive_int("num_hidden", num_hidden)
        self.dropout = finite_float("dropout", dropout, minimum=0.0)
        if self.dropout >= 1:
            raise InvalidValueError(f"dropout must be in [0, 1), got {dropout!r}")
        if cell not in CELLS:
            raise InvalidValueError(f"cell must be one of {CELLS}, got {cell!r}")
        self.cell_name: str = cell
        if cell == "scratch":
            self.cell: nn.Module = RNNCell(num_chars, num_hidden)
        elif cell == "torch":
            self.cell = nn.RNN(
                num_chars, num_hidden, nonlinearity="tanh", batch_first=True
            )
        else:
            gated = nn.GRU if cell == "gru" else nn.LSTM
            self.cell = gated(num_chars, num_hidden, batch_first=True)
        self.readout = nn.Linear(num_hidden, num_chars)  # W_hy and b_y

    def forward(
        self, x: torch.Tensor, h0: Hidden | None = None
    ) -> tuple[torch.Tensor, Hidden]:
        """Read ``x`` from the hidden state ``h0``; score every next character.

        Args:
            x: one-hot inputs, ``[T, V]`` (one sequence) or ``[B, T, V]`` (a
                batch of ``B``), for instance ``DataHandler.X``.
            h0: the hidden state before the first input, ``[H]`` or ``[B, H]``
                to match ``x``; None starts from zeros. For ``"lstm"`` a pair
                ``(h0, c0)`` of that shape.

        Returns:
            The pair ``(logits, h_T)``. ``logits`` ``[T, V]`` or ``[B, T, V]``
            holds ``z_t``, a score per character for the one after ``x_t``
            (softmax turns it into probabilities). ``h_T`` ``[H]`` or ``[B, H]``
            is the hidden state after the last input, to carry on from; for
            ``"lstm"`` the pair ``(h_T, c_T)``.

        Raises:
            ~hello_rnn.errors.InvalidTypeError: ``x`` is not a float tensor, or
                ``h0`` is not the kind of state the cell carries.
            ~hello_rnn.errors.InvalidValueError: ``x`` or ``h0`` has the wrong shape.
        """
        unbatched = self._check_input(x, h0)
        if unbatched:
            x = x.unsqueeze(0)
            h0 = None if h0 is None else _map(h0, lambda part: part.unsqueeze(0))
        if self.cell_name == "scratch":
            hs, h_last = self.cell(
                x, x.new_zeros(x.shape[0], self.num_hidden) if h0 is None else h0
            )
        else:
            # torch's recurrent layers want [layers, N, H], and make the zeros
            # themselves when given None.
            hs, h_last = self.cell(
                x, None if h0 is None else _map(h0, lambda part: part.unsqueeze(0))
            )
            h_last = _map(h_last, lambda part: part.squeeze(0))
        if self.dropout > 0:  # (and only then: no random draw for a plain network)
            hs = nn.functional.dropout(hs, self.dropout, self.training)
        logits = self.readout(hs)
        if unbatched:
            return logits.squeeze(0), _map(h_last, lambda part: part.squeeze(0))
        return logits, h_last

    def _check_input(self, x: torch.Tensor, h0: Hidden | None) -> bool:
        """Raise a readable error for a badly shaped input; True if it is unbatched."""
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise InvalidTypeError(
                "x must be a float tensor of one-hot rows, for instance DataHandler.X"
            )
        if x.dim() not in (2, 3) or x.shape[-1] != self.num_chars:
            raise InvalidValueError(
                f"x must have shape [T, {self.num_chars}] or [B, T, {self.num_chars}], "
                f"got {list(x.shape)}"
            )
        if x.shape[-2] == 0:
            raise InvalidValueError("x must hold at least one time step")
        if h0 is not None:
            expected = (
                [self.num_hidden] if x.dim() == 2 else [x.shape[0], self.num_hidden]
            )
            if isinstance(h0, tuple) != (self.cell_name == "lstm"):
                wanted = "a pair (h0, c0)" if self.cell_name == "lstm" else "one tensor"
                raise InvalidTypeError(
                    f"h0 must be {wanted} for cell={self.cell_name!r}"
                )
            for part in h0 if isinstance(h0, tuple) else (h0,):
                if list(part.shape) != expected:
                    raise InvalidValueError(
                        f"h0 must have shape {expected} for x of shape "
                        f"{list(x.shape)}, got {list(part.shape)}"
                    )
        return x.dim() == 2

    def check_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Raise unless `vocabulary` has the ``V`` characters this network reads."""
        if vocabulary.num_characters != self.num_chars:
            raise InvalidValueError(
                f"the vocabulary has {vocabulary.num_characters} characters but the "
                f"network expects {self.num_chars}; use the vocabulary the network "
                "was built for"
            )

    def with_cell(self, cell: CellName) -> HelloRNN:
        """A copy of this network that uses `cell` and computes the same function.

        ``nn.RNN`` keeps two biases (``b_ih`` and ``b_hh``) where the equations
        have one; they always appear as a sum, so ``b_h = b_ih + b_hh``. The two
        compute the same function but do not train alike: both halves get the
        same gradient, so an optimizer step moves their sum twice as far (about
        ``2 * lr`` under Adam), and at initialisation the sum of two uniform
        draws has twice the variance of one.
        """
        if cell not in ("scratch", "torch"):
            raise InvalidValueError(
                f"cell must be 'scratch' or 'torch' (the same maths), got {cell!r}"
            )
        twin = HelloRNN(
            self.num_chars, self.num_hidden, cell=cell, dropout=self.dropout
        ).to(self.readout.weight.device)
        W_xh, W_hh, b_h = self.recurrent_weights()
        with torch.no_grad():
            if cell == "scratch":
                twin.cell.W_xh.copy_(W_xh)
                twin.cell.W_hh.copy_(W_hh)
                twin.cell.b_h.copy_(b_h)
            else:
                twin.cell.weight_ih_l0.copy_(W_xh)
                twin.cell.weight_hh_l0.copy_(W_hh)
                twin.cell.bias_ih_l0.copy_(b_h)
                twin.cell.bias_hh_l0.zero_()
            twin.readout.load_state_dict(self.readout.state_dict())
        return twin

    def recurrent_weights(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(W_xh [H, V], W_hh [H, H], b_h [H])``, from either plain RNN cell."""
        if self.cell_name not in ("scratch", "torch"):
            raise InvalidValueError(
                f"a {self.cell_name!r} cell has gates, "
                "not the three weights of a plain RNN"
            )
        if self.cell_name == "scratch":
            return self.cell.W_xh, self.cell.W_hh, self.cell.b_h
        rnn = self.cell
        return rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0 + rnn.bias_hh_l0


def _map(h: Hidden, fn) -> Hidden:
    """Apply `fn` to the hidden state, or to both parts of an LSTM's (h, c)."""
    return tuple(fn(part) for part in h) if isinstance(h, tuple) else fn(h)
