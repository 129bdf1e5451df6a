/* complexity_accuracy.c - how often cpf_complexity_fit picks the true class
   on synthetic costs (1000 seeds per case: class x overhead x noise), next
   to Google Benchmark's documented method (fit through the origin, scored
   by RMS / mean cost; reimplemented here). Numbers quoted in the README.
   build: cc -O2 -std=c99 -I. -I/usr/include/stb tests/stat/complexity_accuracy.c -lm -pthread -o cx_acc
   run:   ./cx_acc            (sizes 16..65536; n^2 to 4096, n^3 to 1024)
          ./cx_acc narrow     (sizes 64..4096 for every class) */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
static uint64_t st = 88172645463325252ull;
static double u01(void){ st ^= st << 13; st ^= st >> 7; st ^= st << 17; return (double)(st >> 11) / 9007199254740992.0; }
static double f(int k, double n){ double l = log2(n); switch(k){case 0: return 1; case 1: return l; case 2: return n; case 3: return n*l; case 4: return n*n; default: return n*n*n;} }
/* google method: through origin, rms/mean */
static int google(const double *n, const double *t, int m){
  int k,i,best=0; double br=1e300;
  for(k=0;k<6;k++){ double sff=0,sft=0,mean=0,e=0,c; for(i=0;i<m;i++){sff+=f(k,n[i])*f(k,n[i]); sft+=f(k,n[i])*t[i]; mean+=t[i];} c=sft/sff; mean/=m;
    for(i=0;i<m;i++){double r=t[i]-c*f(k,n[i]); e+=r*r;} e=sqrt(e/m)/mean; if(e<br){br=e;best=k;} }
  return best;
}
int main(int argc, char **argv){ int narrow = argc > 1 && strcmp(argv[1], "narrow") == 0;
  int k, seed; double noise_levels[]={0.03,0.10}; int ni;
  for(ni=0;ni<2;ni++) for(k=0;k<6;k++){
    double ovs[] = {0, 0.5, 5}; int oi;
    for(oi=0;oi<3;oi++){
    int ok=0, okg=0, trials=1000; double worst=0;
    for(seed=0;seed<trials;seed++){
      double n[16], t[16]; int m=0; double x;
      double hi = narrow ? 4096 : k>=5?1024: k==4?4096: 65536;
      for(x=narrow?64:16;x<=hi;x*=2){ n[m]=x; m++; }
      /* overhead relative to the smallest size's cost */
      for(int i=0;i<m;i++){ double base=f(k,n[i]); double ov = ovs[oi]*f(k,n[0]) * (k==0?1:1); t[i]=(ov*(k==1||k==0? 1:1) + base)*(1+noise_levels[ni]*(2*u01()-1)); if(k==0) t[i]=100*(1+noise_levels[ni]*(2*u01()-1)); }
      cpf_complexity c; cpf_complexity_fit(n,t,m,&c);
      ok += (int)c.best==k; okg += google(n,t,m)==k; if(c.rms>worst) worst=c.rms;
    }
    printf("noise %.0f%% class %d overhead %.2fx f(n0): ours %d/%d google %d/%d (max rms %.3f)\n", 100*noise_levels[ni], k, ovs[oi], ok, trials, okg, trials, worst);
    }
  }
  return 0;
}
