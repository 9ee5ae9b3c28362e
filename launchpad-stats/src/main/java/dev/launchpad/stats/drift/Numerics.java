package dev.launchpad.stats.drift;

/** Small numerical routines the drift tests need that commons-statistics does not offer. */
final class Numerics {
    private Numerics() {
    }

    /** Least-squares quadratic {@code c0 x² + c1 x + c2} through the points (numpy {@code polyfit(x, y, 2)}). */
    static double[] polyfit2(double[] x, double[] y) {
        // Householder QR of the scaled Vandermonde matrix, as lstsq would do (well conditioned here).
        int n = x.length;
        double[][] a = new double[n][3];
        double[] scale = new double[3];
        for (int i = 0; i < n; i++) {
            a[i][0] = x[i] * x[i];
            a[i][1] = x[i];
            a[i][2] = 1;
        }
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += a[i][c] * a[i][c];
            }
            scale[c] = Math.sqrt(s);
            for (int i = 0; i < n; i++) {
                a[i][c] /= scale[c];
            }
        }
        double[] b = y.clone();
        for (int c = 0; c < 3; c++) {
            double norm = 0;
            for (int i = c; i < n; i++) {
                norm += a[i][c] * a[i][c];
            }
            norm = Math.sqrt(norm);
            double alpha = a[c][c] > 0 ? -norm : norm;
            double[] v = new double[n];
            for (int i = c; i < n; i++) {
                v[i] = a[i][c];
            }
            v[c] -= alpha;
            double vv = 0;
            for (int i = c; i < n; i++) {
                vv += v[i] * v[i];
            }
            if (vv == 0) {
                continue;
            }
            for (int cc = c; cc < 3; cc++) {
                double dot = 0;
                for (int i = c; i < n; i++) {
                    dot += v[i] * a[i][cc];
                }
                double f = 2 * dot / vv;
                for (int i = c; i < n; i++) {
                    a[i][cc] -= f * v[i];
                }
            }
            double dot = 0;
            for (int i = c; i < n; i++) {
                dot += v[i] * b[i];
            }
            double f = 2 * dot / vv;
            for (int i = c; i < n; i++) {
                b[i] -= f * v[i];
            }
        }
        double[] coef = new double[3];
        for (int c = 2; c >= 0; c--) {
            double s = b[c];
            for (int cc = c + 1; cc < 3; cc++) {
                s -= a[c][cc] * coef[cc];
            }
            coef[c] = s / a[c][c];
        }
        for (int c = 0; c < 3; c++) {
            coef[c] /= scale[c];
        }
        return coef;
    }

    /**
     * CDF of the limiting Cramér–von Mises distribution (Csörgő and Faraway 1996, eq. 1.2), summed
     * until a term falls below 1e-7 as scipy does.
     */
    static double cdfCramerVonMisesInf(double x) {
        double total = 0;
        double gammaRatio = Math.sqrt(Math.PI); // Γ(k + 1/2) / Γ(k + 1) at k = 0
        for (int k = 0; k < 10_000; k++) {
            double u = gammaRatio / (Math.pow(Math.PI, 1.5) * Math.sqrt(x));
            double y = 4.0 * k + 1;
            double q = y * y / (16 * x);
            // exp(-q) * K_{1/4}(q) = exp(-2q) * kve(1/4, q)
            double z = u * Math.sqrt(y) * Math.exp(-2 * q) * besselKScaled(0.25, q);
            total += z;
            if (!(Math.abs(z) >= 1e-7)) {
                break;
            }
            gammaRatio *= (k + 0.5) / (k + 1.0);
        }
        return total;
    }

    /**
     * Exponentially scaled modified Bessel function of the second kind, {@code exp(q) K_nu(q)}, by the
     * trapezoidal rule on {@code ∫_0^∞ exp(-q (cosh t - 1)) cosh(nu t) dt}, which converges
     * geometrically fast for this analytic, double-exponentially decaying integrand.
     */
    static double besselKScaled(double nu, double q) {
        if (!(q > 0)) {
            throw new IllegalArgumentException("Bessel K needs q > 0, got " + q);
        }
        double h = 0.02;
        double sum = 0.5; // t = 0 term, halved
        for (int i = 1; ; i++) {
            double t = i * h;
            double e = q * (Math.cosh(t) - 1);
            if (e > 745) {
                break;
            }
            double f = Math.exp(-e) * Math.cosh(nu * t);
            sum += f;
            if (f < 1e-18 * sum && e > 40) {
                break;
            }
        }
        return sum * h;
    }
}
