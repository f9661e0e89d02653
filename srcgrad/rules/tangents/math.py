"""Tangent templates for the `math` module (Python floats in, Python floats out)."""
# ruff: noqa: F821
import math

from srcgrad.rules.tangents.registry import tangent


@tangent(math.exp)
def exp(y, x):
    d[y] = d[x] * y


@tangent(math.expm1)
def expm1(y, x):
    d[y] = d[x] * (y + 1.0)


@tangent(math.log)
def log(y, x, base=math.e):
    d[y] = d[x] / (x * math.log(base)) - d[base] * y / (base * math.log(base))


@tangent(math.log2)
def log2(y, x):
    d[y] = d[x] / (x * math.log(2.0))


@tangent(math.log10)
def log10(y, x):
    d[y] = d[x] / (x * math.log(10.0))


@tangent(math.log1p)
def log1p(y, x):
    d[y] = d[x] / (1.0 + x)


@tangent(math.sqrt)
def sqrt(y, x):
    d[y] = d[x] * 0.5 / y


@tangent(math.pow)
def pow_(z, x, y):
    d[z] = d[x] * y * math.pow(x, y - 1) + d[y] * (z * math.log(x) if x > 0 else 0.0)


@tangent(math.sin)
def sin(y, x):
    d[y] = d[x] * math.cos(x)


@tangent(math.cos)
def cos(y, x):
    d[y] = -d[x] * math.sin(x)


@tangent(math.tan)
def tan(y, x):
    d[y] = d[x] * (1.0 + y * y)


@tangent(math.asin)
def asin(y, x):
    d[y] = d[x] / math.sqrt(1.0 - x * x)


@tangent(math.acos)
def acos(y, x):
    d[y] = -d[x] / math.sqrt(1.0 - x * x)


@tangent(math.atan)
def atan(y, x):
    d[y] = d[x] / (1.0 + x * x)


@tangent(math.atan2)
def atan2(z, y, x):
    d[z] = (d[y] * x - d[x] * y) / (x * x + y * y)


@tangent(math.sinh)
def sinh(y, x):
    d[y] = d[x] * math.cosh(x)


@tangent(math.cosh)
def cosh(y, x):
    d[y] = d[x] * math.sinh(x)


@tangent(math.tanh)
def tanh(y, x):
    d[y] = d[x] * (1.0 - y * y)


@tangent(math.hypot)
def hypot(z, *coordinates):
    d[z] = sum([c * t for c, t in zip(coordinates, d[coordinates])]) / z


@tangent(math.fabs)
def fabs(y, x):
    d[y] = d[x] * math.copysign(1.0, x)


@tangent(math.erf)
def erf(y, x):
    d[y] = d[x] * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


@tangent(math.erfc)
def erfc(y, x):
    d[y] = -d[x] * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


@tangent(math.copysign)
def copysign(z, x, y):
    d[z] = d[x] * math.copysign(1.0, x) * math.copysign(1.0, y)


@tangent(math.fmod)
def fmod(z, x, y):
    d[z] = d[x] - d[y] * math.trunc(float(x / y))
