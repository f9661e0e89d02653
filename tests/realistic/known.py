"""Expected failures of srcgrad on the corpus, one entry per case id (see survey.py to regenerate).

Kinds, worst first:
  wrong      - a silent wrong value or gradient (raises corpus.WrongValue / WrongGradient);
  crash      - an exception that is not a SrcgradError, or an InternalError: a bug inside srcgrad;
  misleading - a SrcgradError whose message is wrong about the cause or does not point at the user's code;
  refused    - a clear SrcgradError naming the user's line and a way out.
"""
from typing import NamedTuple

from srcgrad.errors import (InternalError, NotDifferentiableError, SourceUnavailableError, SrcgradError,  # noqa: F401
                            UnsupportedSyntaxError, WrtError)

from .corpus import WrongGradient, WrongStructure, WrongValue  # noqa: F401


class Known(NamedTuple):
    kind: str
    raises: type
    reason: str


def wrong(raises: type, reason: str) -> Known:
    return Known("wrong", raises, reason)


def crash(raises: type, reason: str) -> Known:
    return Known("crash", raises, reason)


def misleading(raises: type, reason: str) -> Known:
    return Known("misleading", raises, reason)


def refused(raises: type, reason: str) -> Known:
    return Known("refused", raises, reason)


KNOWN: dict[str, Known] = {
    # WRONG: a list built with append and read back with lst[-1], then turned into an array with np.array(lst), loses
    # the gradient through the [-1] reads. Minimal: s = [a]; s.append(0.5 * s[-1]); return np.sum(np.array(s)) -> 1.0, want 1.5
    'ar_timeseries.garch_nll(0)': wrong(WrongGradient,
        'WrongGradient: grad w.r.t. argument 0: 3 of 3 entries differ from finite differences, worst [2]: srcgrad 1.207072344707167, finite differences 2.7673873445384816'),
    'lotka_volterra.euler_fit(0)': wrong(WrongGradient,
        'WrongGradient: grad w.r.t. argument 0: 4 of 4 entries differ from finite differences, worst [0]: srcgrad 27.526904883217668, finite differences 314.75642969037193'),
    # WRONG: writes into an array argument inside a called function (boundary-condition helpers, x[i] = ..., out += ...)
    # are not differentiated. Minimal: def fill(x, v): x[1] = 2.0 * v  /  x = np.zeros(3); fill(x, v); return x[1] -> 0.0, want 2.0
    'stable_fluids.fluid_loss(0)': wrong(WrongGradient,
        'WrongGradient: grad w.r.t. argument 0: 16 of 36 entries differ from finite differences, worst [4, 1]: srcgrad 0.0, finite differences -1.4501726468448455'),
    'heat_diffusion.neumann_loss(0)': wrong(WrongGradient,
        'WrongGradient: grad w.r.t. argument 0: 1 of 1 entries differ from finite differences, worst (the argument): srcgrad -0.001940203341223093, finite differences -0.024900834735922896'),
    # WRONG: list.insert(0, h) (backward direction of a bidirectional RNN) drops the inserted value's gradient.
    # Minimal: hs = []; hs.insert(0, 2.0 * a); return hs[0] -> 0.0, want 2.0
    'birnn_tagger.tagger_loss(0)': wrong(WrongGradient,
        "WrongGradient: grad w.r.t. argument 0: along a random direction in ['Wx_b']: srcgrad 0.0, finite differences -0.011302746340850149"),
    # WRONG: dict.update() into a fresh dict drops the gradient of the values it brings in.
    # Minimal: p = dict(DEFAULTS); p.update(params); ... p['w'] -> zero gradient for every entry of params
    'params_with_defaults.nll_update(0)': wrong(WrongGradient,
        "WrongGradient: grad w.r.t. argument 0: 4 of 4 entries differ from finite differences, worst ['w'][0]: srcgrad 0.0, finite differences -16.183542391701167"),
    # CRASH: a nested list comprehension (Gram matrix [[k(a, b) for b in X] for a in X]): the generated code
    # reads the outer comprehension's variable where it is not defined
    'kernel_ridge.gp_nll(0)': crash(NameError,
        "NameError: name 'a' is not defined"),
    'kernel_ridge.krr_validation(0)': crash(NameError,
        "NameError: name 'a' is not defined"),
    # CRASH: a NumPy module returned by a helper (get_array_module / xp = helper(x)): mod.sum(...) is taken for an
    # array method and the runtime's unreduce gets the function np.sum as the axis
    'array_module_alias.generic_logistic(0)': crash(TypeError,
        "TypeError: object of type 'numpy._ArrayFunctionDispatcher' has no len()"),
    # CRASH: dict unpacking {**DEFAULTS, **params}: code generation fails inside ast.unparse (a None dict key)
    'params_with_defaults.nll_dict_literal(0)': crash(AttributeError,
        "AttributeError: 'NoneType' object has no attribute '_fields'"),
    # MISLEADING: dict.values() / dict.items() over the params dict (weight decay) is refused as 'a function built from
    # values being differentiated (a functools.partial or a closure over them)'; the advice to pass the values as arguments does not apply
    'weight_decay.loss_decay_weights(0)': misleading(NotDifferentiableError,
        'NotDifferentiableError: the function called here is built from values being differentiated (a functools.partial or a closure over them), and srcgrad cannot send gradients into a function object'),
    'weight_decay.loss_decay_all(0)': misleading(NotDifferentiableError,
        'NotDifferentiableError: the function called here is built from values being differentiated (a functools.partial or a closure over them), and srcgrad cannot send gradients into a function object'),
    # MISLEADING: a layer whose self.activation is None, called only under `if self.activation is not None:`, is
    # refused as 'a name srcgrad cannot look up' with a suggestion to register @srcgrad.adjoint(self.activation)
    'sequential_layers.Sequential.loss(0)': misleading(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for self.activation (a name srcgrad cannot look up, so there is no Python source to differentiate)'),
    'sequential_layers.mse_through_model(0)': misleading(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for self.activation (a name srcgrad cannot look up, so there is no Python source to differentiate)'),
    # MISLEADING: a scipy.stats distribution without a rule (halfcauchy.logpdf) is refused as 'the file changed after
    # Python compiled the function' (SciPy's file did not change) instead of 'no derivative rule for halfcauchy.logpdf'
    'hierarchical_models.eight_schools_logp(0)': misleading(SourceUnavailableError,
        'SourceUnavailableError: the source of rv_continuous.logpdf in scipy/stats/_distn_infrastructure.py is not the code Python runs: the file changed after Python compiled the function from line 2090, and the text there now is another function or another version of it'),
    # MISLEADING: cache = {}; cache.update(z1=z1, a1=a1) is refused as an in-place operation whose 'backward pass needs the
    # values it overwrites' (nothing is overwritten), with advice to assign the result to a new name (update returns None)
    'activation_regularization.loss_with_activation_penalty(0)': misleading(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate an in-place operation on cache (out=, np.copyto, .fill, .sort, .extend, ...): the backward pass needs the values it overwrites'),
    # REFUSED (clear): no derivative rule for a NumPy function outside the table (the hint's 'elementwise' template
    # does not fit np.sort / np.triu / np.subtract.outer / np.linalg.cholesky)
    'poisson_glm.half_poisson_deviance(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.average (a compiled function, so there is no Python source to differentiate)'),
    'sklearn_linear.weighted_log_loss(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.average (a compiled function, so there is no Python source to differentiate)'),
    'tv_denoise.rof_objective(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.diff (a compiled function, so there is no Python source to differentiate)'),
    'tv_denoise.anisotropic_tv(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.diff (a compiled function, so there is no Python source to differentiate)'),
    'deblur.deconvolution_objective(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.diff (a compiled function, so there is no Python source to differentiate)'),
    'heat_diffusion.periodic_loss(0,1)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.roll (a compiled function, so there is no Python source to differentiate)'),
    'conv_naive.input_grad_loss(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.pad (a compiled function, so there is no Python source to differentiate)'),
    'mixture_density.mdn_nll(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.split (a compiled function, so there is no Python source to differentiate)'),
    'neural_style.style_transfer_loss(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.tensordot (a compiled function, so there is no Python source to differentiate)'),
    'volume_rendering.photometric_loss(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.cumprod (a compiled function, so there is no Python source to differentiate)'),
    'classification_losses.focal_loss(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.take_along_axis (a compiled function, so there is no Python source to differentiate)'),
    'ranking_losses.ranknet(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.triu (a compiled function, so there is no Python source to differentiate)'),
    'ranking_losses.pairwise_outer(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.subtract.outer (a compiled function, so there is no Python source to differentiate)'),
    'ranking_losses.trimmed_squares(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.sort (a compiled function, so there is no Python source to differentiate)'),
    'gp_triangular.nlml(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad has no derivative rule for np.linalg.cholesky (a compiled function, so there is no Python source to differentiate)'),
    # REFUSED (clear): *args in a call, even to a non-differentiable one (rs.randn(*shape), f(y, t, *args))
    'vae_elbo.negative_elbo(0,1)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate a call with *arguments'),
    'rbm_free_energy.cd_loss(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate a call with *arguments'),
    'lotka_volterra.lv_loss(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate a call with *arguments'),
    'lotka_volterra.lv_loss_explicit(0,1,2,3)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate a call with *arguments'),
    # REFUSED (clear): *args / **kwargs in the loss's own signature (scipy.optimize's args= convention)
    'scipy_optimize_style.cost_args(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate a function with *args'),
    'scipy_optimize_style.cost_kwargs(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate a function with **kwargs'),
    # REFUSED (clear): `raise ValueError` for input validation, even in a branch not taken
    'batchnorm.bn_check_loss(0,1,2)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate raise'),
    'batchnorm.bn_net_loss(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate raise'),
    'dropout_mlp.loss(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate raise'),
    'gp_kernel_objects.objective(0,1)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate raise'),
    # REFUSED (clear): try/except, with, global, yield, lambda
    'gp_robust.nlml_safe(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate try/except'),
    'gp_robust.standardized_mse(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate with'),
    'scipy_optimize_style.cost_counted(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate global'),
    'flat_params.objective(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate yield'),
    'functional_partial.loss_reduce(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate lambda'),
    'functional_partial.loss_map(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate lambda'),
    # REFUSED (clear): parameters held by objects: a dataclass argument, a model built from the params inside the loss,
    # arrays assigned to a model's attributes
    'dataclass_params.loss_params(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad cannot differentiate the attribute .W of a Params'),
    'layernorm_block.stack_loss(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: srcgrad cannot differentiate the attribute .W_out of a BlockParams'),
    'model_from_params.loss_build_model(0)': refused(NotDifferentiableError,
        'NotDifferentiableError: the function called here is built from values being differentiated (a functools.partial or a closure over them), and srcgrad cannot send gradients into a function object'),
    'model_from_params.loss_set_attributes(0,1)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate assignment to an attribute'),
    # REFUSED (clear): in-place NumPy operation (np.fill_diagonal) and a write into an element of an element (xs[t][i] = 1)
    'tsne_kl.tsne_kl(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate an in-place operation on num (out=, np.copyto, .fill, .sort, .extend, ...): the backward pass needs the values it overwrites'),
    'char_rnn.lossFun(0)': refused(UnsupportedSyntaxError,
        'UnsupportedSyntaxError: srcgrad cannot differentiate assignment into an element of an element (a[i][j] = ...)'),
}
