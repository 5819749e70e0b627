import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { api } from './api/client';
import { registerServiceWorker } from './lib/service-worker-registration';
import { createAppRouter } from './router';
import { useAuthStore } from './stores/auth';
import './style.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = createAppRouter();
app.use(router);

// A 401 anywhere means the session is over: to the sign-in page, back here afterwards.
api.setUnauthorizedHandler(() => {
  const auth = useAuthStore(pinia);
  if (!auth.signedIn) return;
  auth.forget();
  const current = router.currentRoute.value;
  if (!current.meta.guest) {
    void router.replace({ name: 'signin', query: { next: current.fullPath } });
  }
});

app.mount('#app');
if (import.meta.env.PROD) registerServiceWorker();
